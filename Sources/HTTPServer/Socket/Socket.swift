import Glibc

/// One thin wrapper per socket system call (Linux); each failure becomes a `SocketError` that
/// names the call and keeps its errno. Nothing here knows about HTTP.
enum Socket {
    enum ReceiveResult {
        case received(Int)
        case endOfStream
        case wouldBlock
    }

    /// A listening, non-blocking TCP socket on `host`:`port` (port 0 picks an ephemeral port).
    /// `host` is a numeric IPv4 or IPv6 address, or a name getaddrinfo resolves; "::" listens on
    /// IPv6 and, through IPV6_V6ONLY = 0, on IPv4 too.
    static func listen(host: String, port: Int, backlog: Int32) throws(SocketError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError("getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))", code: status)
        }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        do throws(SocketError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
            if info.ai_family == AF_INET6 {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0, name: "IPV6_V6ONLY")
            }
            guard bind(fd, info.ai_addr, info.ai_addrlen) == 0 else { throw SocketError("bind(\(host):\(port))") }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError("listen") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(SocketError) {
        var v = value
        guard setsockopt(fd, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt(\(name))")
        }
    }

    /// The local port a socket is bound to (getsockname), for port-0 listeners.
    static func boundPort(_ fd: Int32) throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw SocketError("getsockname") }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            throw SocketError("getsockname: address family \(storage.ss_family)", code: EAFNOSUPPORT)
        }
    }

    /// A new non-blocking connection, or nil when none is pending.
    static func accept(_ listener: Int32) throws(SocketError) -> Int32? {
        while true {
            // accept4 is hidden behind _GNU_SOURCE in Glibc's Swift module, so the non-blocking
            // flag is set with fcntl (Linux does not inherit it from the listener).
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                let flags = fcntl(fd, F_GETFL)
                guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
                    let error = SocketError("fcntl(O_NONBLOCK)")
                    Glibc.close(fd)
                    throw error
                }
                return fd
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SocketError("accept")
            }
        }
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> ReceiveResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .received(n) }
            if n == 0 { return .endOfStream }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SocketError("recv")
            }
        }
    }

    /// Bytes written, or 0 when the socket buffer is full. MSG_NOSIGNAL: a peer that went away
    /// is an EPIPE error here, never a process-killing SIGPIPE.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw SocketError("send")
            }
        }
    }

    /// Half-closes the sending side: the peer reads end-of-stream after our last byte.
    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
