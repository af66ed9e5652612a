import Foundation
import Imaging
import Retrieval
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `adaptclip index add --server URL PATH…`: ingests through a running server instead of opening
/// the data directory (which the server holds). Two ways, chosen by the caller:
/// - upload (default): the files are read here and sent in chunks to `POST /v1/images:batch`,
///   two chunks in flight (the server embeds one while the next travels); works whatever machine
///   the server runs on. Each item's `uri` is its path relative to the folder given.
/// - on the server (`--on-server`): `POST /admin/ingest` with each folder's absolute path, for a
///   folder the server itself can read (inside its `ingest.allowed_roots`); needs the admin token
///   (ADAPTCLIP_ADMIN_TOKEN). The job runs in the server's background, survives restarts, and
///   this command only follows its progress.
struct ServerIngest {
    struct Summary: Encodable {
        var files = 0
        var stored = 0
        var duplicates = 0
        var skipped = 0
        var failed = 0
        var elapsed_seconds = 0.0
        var problems: [Problem] = []
    }

    struct Problem: Encodable {
        let path: String
        let reason: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The problem document's code (the last part of its `type`) and `detail`, when the
        /// server answered one.
        var code: String? = nil
        var detail: String? = nil
    }

    let server: URL
    let chunkFiles: Int
    let chunkBytes: Int
    let progress: IngestProgress

    // MARK: upload

    private struct File: Sendable {
        let folder: IngestFolder
        let relative: String
        let size: Int
    }

    func upload(paths: [String]) async throws -> Summary {
        let start = Date()
        var summary = Summary()
        let files = try list(paths, &summary)
        summary.files = files.count
        progress.begin(total: files.count)
        var chunks: [[File]] = [[]]
        var bytes = 0
        for file in files {
            if !chunks[chunks.count - 1].isEmpty, chunks[chunks.count - 1].count >= chunkFiles || bytes + file.size > chunkBytes {
                chunks.append([])
                bytes = 0
            }
            chunks[chunks.count - 1].append(file)
            bytes += file.size
        }
        var done = 0
        var inFlight: Task<(Int, Summary), any Error>?
        for chunk in chunks where !chunk.isEmpty {
            let next = Task { (chunk.count, try await send(chunk)) }
            if let previous = inFlight {
                let (count, part) = try await previous.value
                merge(part, into: &summary)
                done += count
                progress.update(done: done, stored: summary.stored)
            }
            inFlight = next
        }
        if let last = inFlight {
            let (count, part) = try await last.value
            merge(part, into: &summary)
            done += count
        }
        progress.update(done: files.count, stored: summary.stored)
        progress.finish()
        summary.elapsed_seconds = Date().timeIntervalSince(start)
        return summary
    }

    private func merge(_ part: Summary, into summary: inout Summary) {
        summary.stored += part.stored
        summary.duplicates += part.duplicates
        summary.skipped += part.skipped
        summary.failed += part.failed
        summary.problems += part.problems
    }

    /// Regular files under each path (never following symbolic links), each with its path
    /// relative to the folder given (its name, for a file given).
    private func list(_ paths: [String], _ summary: inout Summary) throws -> [File] {
        var out: [File] = []
        for path in paths {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) else {
                summary.failed += 1
                summary.problems.append(Problem(path: path, reason: "not found"))
                continue
            }
            let root = isFolder.boolValue ? absolute : (absolute as NSString).deletingLastPathComponent
            let folder = IngestFolder(resolvedRoot: root, allowedRoots: [root], maxFileBytes: chunkBytes)
            let names = isFolder.boolValue ? try folder.list(recursive: true, limit: .max).files : [(absolute as NSString).lastPathComponent]
            for name in names {
                let attributes = try? FileManager.default.attributesOfItem(atPath: folder.absolutePath(name))
                out.append(File(folder: folder, relative: name, size: (attributes?[.size] as? Int) ?? 0))
            }
        }
        return out
    }

    /// One `POST /v1/images:batch` of `files` as multipart/form-data.
    private func send(_ files: [File]) async throws -> Summary {
        var part = Summary()
        let boundary = "adaptclip-\(UUID().uuidString)"
        var body = Data()
        var sent: [File] = []
        for file in files {
            let bytes: Data
            do { bytes = try file.folder.read(file.relative) } catch {
                part.skipped += 1
                part.problems.append(Problem(path: file.relative, reason: error.description))
                continue
            }
            guard (try? ImageDecoder.format(of: bytes.prefix(16))) != nil else {
                part.skipped += 1
                part.problems.append(Problem(path: file.relative, reason: "not a JPEG, PNG or WebP file"))
                continue
            }
            let name = file.relative.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(bytes)
            body.append(Data("\r\n".utf8))
            sent.append(file)
        }
        guard !sent.isEmpty else { return part }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var request = URLRequest(url: server.appendingPathComponent("v1/images:batch"))
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        apiKey.map { request.setValue("Bearer \($0)", forHTTPHeaderField: "Authorization") }
        let answer: [String: Any]
        do {
            answer = try await json(request, body: body)
        } catch let failure as Failure where failure.code == "batch-not-stored" {
            // Every file of this chunk failed (the server refuses such a batch as a whole): they
            // are reported, and the other chunks go on.
            part.failed += sent.count
            part.problems += sent.map { Problem(path: $0.relative, reason: failure.detail ?? failure.description) }
            return part
        } catch let failure as Failure where failure.code == "batch-too-many-pixels" {
            // The chunk's images announce more pixels than the server decodes for one request
            // (ingest.batch_max_pixels): its halves go on their own, down to a single file,
            // which, still too large, fails alone.
            guard sent.count > 1 else {
                part.failed += 1
                part.problems.append(Problem(path: sent[0].relative, reason: failure.detail ?? failure.description))
                return part
            }
            merge(try await send(Array(sent[..<(sent.count / 2)])), into: &part)
            merge(try await send(Array(sent[(sent.count / 2)...])), into: &part)
            return part
        }
        guard let results = answer["results"] as? [[String: Any]], results.count == sent.count else {
            throw Failure(description: "the server answered the batch without one result per file")
        }
        for (file, result) in zip(sent, results) {
            switch result["status"] as? Int {
            case 201?: part.stored += 1
            case 200?: part.duplicates += 1
            default:
                part.failed += 1
                let detail = (result["error"] as? [String: Any])?["detail"] as? String ?? "refused"
                part.problems.append(Problem(path: file.relative, reason: detail))
            }
        }
        return part
    }

    // MARK: on the server

    /// Starts one admin job per folder and follows each to its end.
    func ingestOnServer(paths: [String], recursive: Bool) async throws -> Summary {
        let start = Date()
        var summary = Summary()
        guard let token = ProcessInfo.processInfo.environment["ADAPTCLIP_ADMIN_TOKEN"], !token.isEmpty else {
            throw Failure(description: "--on-server needs the server's admin token in ADAPTCLIP_ADMIN_TOKEN")
        }
        for path in paths {
            var request = URLRequest(url: server.appendingPathComponent("admin/ingest"))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let started = try await json(request, body: try JSONSerialization.data(withJSONObject: ["path": absolute, "recursive": recursive]))
            guard let id = started["id"] as? Int else { throw Failure(description: "the server started no job for \(path)") }
            var status = started
            var poll = URLRequest(url: server.appendingPathComponent("admin/ingest/\(id)"))
            poll.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            while ["queued", "listing", "running"].contains(status["state"] as? String ?? "") {
                try await Task.sleep(for: .milliseconds(500))
                status = try await json(poll, body: nil)
                progress.begin(total: status["total"] as? Int ?? 0)
                progress.update(done: status["done"] as? Int ?? 0, stored: status["stored"] as? Int ?? 0)
            }
            progress.finish()
            summary.files += status["total"] as? Int ?? 0
            summary.stored += status["stored"] as? Int ?? 0
            summary.duplicates += status["duplicates"] as? Int ?? 0
            summary.skipped += status["skipped"] as? Int ?? 0
            summary.failed += status["failed"] as? Int ?? 0
            for problem in status["problems"] as? [[String: Any]] ?? [] {
                summary.problems.append(Problem(path: problem["source"] as? String ?? "", reason: problem["reason"] as? String ?? ""))
            }
            if status["state"] as? String != "completed" {
                throw Failure(description: "ingest job \(id) ended \(status["state"] as? String ?? "?"): \(status["error"] as? String ?? "")")
            }
        }
        summary.elapsed_seconds = Date().timeIntervalSince(start)
        return summary
    }

    // MARK: HTTP

    /// `ADAPTCLIP_API_KEY`, when the server's /v1/* needs a key.
    private var apiKey: String? { ProcessInfo.processInfo.environment["ADAPTCLIP_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } }

    private func json(_ request: URLRequest, body: Data?) async throws -> [String: Any] {
        var request = request
        request.httpBody = body
        request.timeoutInterval = 600
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard (200..<300).contains(status) else {
            throw Failure(
                description: "\(request.httpMethod ?? "GET") \(request.url?.path ?? ""): \(status) \(object["detail"] as? String ?? String(decoding: data.prefix(300), as: UTF8.self))",
                code: (object["type"] as? String)?.split(separator: "/").last.map(String.init), detail: object["detail"] as? String)
        }
        return object
    }
}
