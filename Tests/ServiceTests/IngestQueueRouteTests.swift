import Foundation
import TestSupport
import Testing
@testable import Service

/// The ingest queue over HTTP: at most `ingest.max_running_jobs` jobs run, the others wait
/// `queued` with their position and start in submission order; a queued job can be cancelled
/// without ever starting; a full queue is refused with 503; and after a restart the jobs go on
/// in the order they were submitted, under the same limit.
///
/// Jobs fetch their images from `HeldImageHost`s that hold every image until released, so a
/// running job stays running exactly as long as a test needs it to. Order is read from item
/// ids: a job that ran before another stored all its items first. (Image `n` has the same bytes
/// on every host, so each job asks for numbers no other job asks for.)
@Suite(.serialized) struct IngestQueueRouteTests {
    typealias HeldImageHost = IngestJobRouteTests.HeldImageHost
    static let auth = IngestJobRouteTests.auth
    static let environment = IngestJobRouteTests.environment

    private func urls(_ host: HeldImageHost, _ range: Range<Int>) -> [String] {
        range.map { "http://127.0.0.1:\(host.port)/img/\($0)" }
    }

    private func submit(_ service: LiveService, _ urls: [String]) async throws -> [String: Any] {
        let reply = try await service.post("/admin/ingest", json: ["urls": urls], headers: Self.auth)
        #expect(reply.status == 202, "\(reply.text)")
        return reply.json
    }

    private func status(_ service: LiveService, _ id: Any?) async throws -> [String: Any] {
        try await service.request("GET", "/admin/ingest/\(id as? Int ?? 0)", headers: Self.auth).json
    }

    private func waitFor(_ service: LiveService, _ id: Any?, state: String) async throws -> [String: Any] {
        var job: [String: Any] = [:]
        try await waitUntil("job \(id as? Int ?? 0) \(state)", pollingEvery: .milliseconds(10)) {
            job = try await status(service, id)
            return job["state"] as? String == state
        }
        return job
    }

    /// Item ids by uri (the URL each was fetched from).
    private func itemIDs(_ service: LiveService) async throws -> [String: Int] {
        let page = try await service.request("GET", "/v1/images?limit=1000").json["items"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: page.compactMap { item in (item["uri"] as? String).map { ($0, item["id"] as? Int ?? 0) } })
    }

    private func settings(_ extra: [String: String] = [:]) -> [String: String] {
        ["image_url.allowed_hosts": "127.0.0.1", "ingest.job_batch_size": "4", "gallery.seed": "false", "ingest.max_running_jobs": "1"]
            .merging(extra) { _, new in new }
    }

    @Test func jobsPastTheRunningLimitWaitQueuedAndStartInSubmissionOrder() async throws {
        let held = try HeldImageHost(held: 0)
        let free = try HeldImageHost(held: 100)
        try await withService(settings(), environment: Self.environment) { service in
            let first = try await submit(service, urls(held, 0..<3))
            #expect(first["state"] as? String == "running" && first["queue_position"] == nil, "\(first)")
            let second = try await submit(service, urls(free, 0..<3))
            let third = try await submit(service, urls(free, 3..<6))
            #expect(second["state"] as? String == "queued" && second["queue_position"] as? Int == 1, "\(second)")
            #expect(third["state"] as? String == "queued" && third["queue_position"] as? Int == 2, "\(third)")
            #expect(second["started_at"] == nil && third["total"] as? Int == 3)
            let listed = try await service.request("GET", "/admin/ingest", headers: Self.auth).json["jobs"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["state"] as? String } == ["queued", "queued", "running"])
            #expect(listed.map { $0["queue_position"] as? Int } == [2, 1, nil])
            let metrics = try await service.request("GET", "/metrics").text
            #expect(metrics.contains("adaptclip_ingest_jobs_queued 2") && metrics.contains("adaptclip_ingest_jobs_running 1"), "\(metrics)")

            // Cancelled while queued: it never starts, and the job behind it moves up.
            let cancelled = try await service.request("DELETE", "/admin/ingest/\(second["id"] as? Int ?? 0)", headers: Self.auth)
            #expect(cancelled.json["state"] as? String == "cancelled" && cancelled.json["queue_position"] == nil, "\(cancelled.text)")
            #expect(try await status(service, third["id"])["queue_position"] as? Int == 1)
            #expect(try await service.request("GET", "/metrics").text.contains("adaptclip_ingest_jobs_queued 1"))

            held.release.open()
            _ = try await waitFor(service, first["id"], state: "completed")
            let last = try await waitFor(service, third["id"], state: "completed")
            #expect(last["stored"] as? Int == 3 && last["started_at"] is String, "\(last)")
            let never = try await status(service, second["id"])
            #expect(never["state"] as? String == "cancelled" && never["done"] as? Int == 0 && never["started_at"] == nil, "\(never)")

            let ids = try await itemIDs(service)
            #expect(ids.count == 6, "\(ids)")
            let firstIDs = urls(held, 0..<3).compactMap { ids[$0] }
            let thirdIDs = urls(free, 3..<6).compactMap { ids[$0] }
            #expect(firstIDs.count == 3 && thirdIDs.count == 3)
            #expect(firstIDs.max() ?? .max < thirdIDs.min() ?? 0, "the queued job ran only after the running one ended")
        }
        await held.server.shutdown(gracePeriod: .seconds(1))
        await free.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aFullQueueIsRefusedWith503NamingTheLimit() async throws {
        let held = try HeldImageHost(held: 0)
        try await withService(settings(["ingest.max_queued_jobs": "1"]), environment: Self.environment) { service in
            let running = try await submit(service, urls(held, 0..<2))
            let queued = try await submit(service, urls(held, 2..<4))
            #expect(running["state"] as? String == "running" && queued["state"] as? String == "queued")

            let refused = try await service.post("/admin/ingest", json: ["urls": urls(held, 4..<6)], headers: Self.auth)
            expectProblem(refused, status: 503, field: nil)
            #expect(refused.json["type"] as? String == "https://adaptclip.dev/problems/ingest-queue-full")
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("ingest.max_queued_jobs = 1") && detail.contains("1 ingest jobs are queued"), "\(detail)")
            let retry = try #require(Int(refused.headers["retry-after"] ?? ""), "\(refused.headers)")
            #expect(retry >= 1 && retry <= 3_600)
            // Nothing was recorded for it.
            let listed = try await service.request("GET", "/admin/ingest", headers: Self.auth).json["jobs"] as? [[String: Any]] ?? []
            #expect(listed.count == 2)

            // A place freed by cancelling a queued job takes the next one.
            _ = try await service.request("DELETE", "/admin/ingest/\(queued["id"] as? Int ?? 0)", headers: Self.auth)
            #expect(try await submit(service, urls(held, 4..<6))["queue_position"] as? Int == 1)
            held.release.open()
        }
        await held.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func queuedJobsResumeInSubmissionOrderAfterARestart() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let firstHost = try HeldImageHost(held: 0)
        let secondHost = try HeldImageHost(held: 0)
        let settings = settings(["data_dir": data.path])

        let before = try await LiveService.start(settings, environment: Self.environment)
        let first = try await submit(before, urls(firstHost, 0..<3))
        let second = try await submit(before, urls(secondHost, 3..<6))
        let third = try await submit(before, urls(secondHost, 6..<9))
        #expect([first, second, third].map { $0["state"] as? String } == ["running", "queued", "queued"])
        await before.halt()

        let after = try await LiveService.start(settings, environment: Self.environment)
        do {
            // The same limit: the job that ran goes on, the others wait where they were.
            #expect(try await status(after, first["id"])["state"] as? String == "running")
            #expect(try await status(after, second["id"])["queue_position"] as? Int == 1)
            #expect(try await status(after, third["id"])["queue_position"] as? Int == 2)
            firstHost.release.open()
            _ = try await waitFor(after, first["id"], state: "completed")
            _ = try await waitFor(after, second["id"], state: "running")
            let waiting = try await status(after, third["id"])
            #expect(waiting["state"] as? String == "queued" && waiting["queue_position"] as? Int == 1, "\(waiting)")
            secondHost.release.open()
            let last = try await waitFor(after, third["id"], state: "completed")
            #expect(last["stored"] as? Int == 3, "\(last)")

            let ids = try await itemIDs(after)
            let order = [urls(firstHost, 0..<3), urls(secondHost, 3..<6), urls(secondHost, 6..<9)].map { $0.compactMap { ids[$0] } }
            #expect(order.map(\.count) == [3, 3, 3], "\(ids)")
            #expect(order[0].max() ?? .max < order[1].min() ?? 0 && order[1].max() ?? .max < order[2].min() ?? 0, "\(order)")
        } catch {
            await after.halt()
            throw error
        }
        await after.halt()
        await firstHost.server.shutdown(gracePeriod: .seconds(1))
        await secondHost.server.shutdown(gracePeriod: .seconds(1))
    }

    /// A restart with fewer running slots than jobs that were running: the later ones wait
    /// queued again, ahead of the jobs submitted after them, their work kept.
    @Test func aLowerLimitAfterARestartQueuesTheLaterRunningJobsAgain() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let host = try HeldImageHost(held: 0)

        let before = try await LiveService.start(settings(["data_dir": data.path, "ingest.max_running_jobs": "2"]), environment: Self.environment)
        let first = try await submit(before, urls(host, 0..<2))
        let second = try await submit(before, urls(host, 2..<4))
        let third = try await submit(before, urls(host, 4..<6))
        #expect([first, second, third].map { $0["state"] as? String } == ["running", "running", "queued"])
        await before.halt()

        let after = try await LiveService.start(settings(["data_dir": data.path]), environment: Self.environment)
        do {
            #expect(try await status(after, first["id"])["state"] as? String == "running")
            let requeued = try await status(after, second["id"])
            #expect(requeued["state"] as? String == "queued" && requeued["queue_position"] as? Int == 1, "\(requeued)")
            #expect(requeued["total"] as? Int == 2 && requeued["started_at"] is String)
            #expect(try await status(after, third["id"])["queue_position"] as? Int == 2)
            host.release.open()
            let last = try await waitFor(after, third["id"], state: "completed")
            #expect(try await status(after, second["id"])["state"] as? String == "completed")
            #expect(last["stored"] as? Int == 2)
        } catch {
            await after.halt()
            throw error
        }
        await after.halt()
        await host.server.shutdown(gracePeriod: .seconds(1))
    }
}
