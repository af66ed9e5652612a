/// Recognises the environment variables the kubelet injects for every Service of the pod's
/// namespace ("service links"), so that a Service named `adaptclip` (or `adaptclip-…`) does not
/// stop the server as unknown configuration keys, while a mistyped key still does.
///
/// For a Service `redis-master` with cluster IP 10.0.0.11 and first port 6379/TCP named `db`,
/// the kubelet (pkg/kubelet/envvars, `FromServices` and `makeLinkVariables`) writes:
///
///     REDIS_MASTER_SERVICE_HOST=10.0.0.11
///     REDIS_MASTER_SERVICE_PORT=6379           (the first port)
///     REDIS_MASTER_SERVICE_PORT_DB=6379        (each named port)
///     REDIS_MASTER_PORT=tcp://10.0.0.11:6379   (Docker links: the first port)
///     REDIS_MASTER_PORT_6379_TCP=tcp://10.0.0.11:6379
///     REDIS_MASTER_PORT_6379_TCP_PROTO=tcp
///     REDIS_MASTER_PORT_6379_TCP_PORT=6379
///     REDIS_MASTER_PORT_6379_TCP_ADDR=10.0.0.11
///
/// The name is the Service's upper-cased with `-` as `_`; an IPv6 address is bracketed in the
/// URLs (`net.JoinHostPort`); the protocol is tcp, udp or sctp. Every such group has its
/// `{S}_PORT` URL: it anchors the group, and every other variable must agree with it (same
/// address, a port the group declares). So `ADAPTCLIP_PORT=8080` (no URL) or a lone
/// `ADAPTCLIP_SERVICE_PORT=8080` (no anchor) is not a service link and stays a configuration
/// mistake.
struct KubernetesServiceLinks: Sendable {
    private let environment: [String: String]
    /// Upper-cased, `_`-separated: the start every recognised Service name must have.
    private let prefix: String

    init(environment: [String: String], prefix: String) {
        self.environment = environment
        self.prefix = prefix
    }

    /// The protocols a Service port may declare, as they appear upper-cased in names.
    static let protocols = ["TCP", "UDP", "SCTP"]

    /// Whether `name` (with its value in the environment) is one of the kubelet's service
    /// variables for a Service whose variables start with `prefix`.
    func isServiceLink(_ name: String) -> Bool {
        guard let value = environment[name] else { return false }
        // A name may split several ways (a Service may be called `adaptclip-port`); it is a
        // service link when any split is a coherent one.
        return Self.splits(name).contains { split in
            isServiceName(split.service) && matches(split.suffix, value: value, service: split.service)
        }
    }

    /// `{S}_…` with S this prefix, alone or followed by `_` and more of a Service's name.
    private func isServiceName(_ service: Substring) -> Bool {
        guard service.hasPrefix(prefix) else { return false }
        let rest = service.dropFirst(prefix.count)
        return rest.isEmpty || (rest.first == "_" && rest.allSatisfy { $0 == "_" || $0.isASCIIUpperOrDigit })
    }

    private func matches(_ suffix: Suffix, value: String, service: Substring) -> Bool {
        // The anchor: `{S}_PORT`, a link URL on its own.
        guard let anchor = environment["\(service)_PORT"].flatMap(LinkURL.init) else { return false }
        switch suffix {
        case .anchor:
            return true
        case .serviceHost:
            return Self.isAddress(value) && value == anchor.host
        case .servicePort:
            return Self.port(value) == anchor.port
        case .namedServicePort:
            // A named port is one of the Service's ports, each of which has its link URL.
            guard let port = Self.port(value) else { return false }
            return Self.protocols.contains { environment["\(service)_PORT_\(port)_\($0)"].flatMap(LinkURL.init) != nil }
        case .portURL(let port, let proto):
            guard let url = LinkURL(value) else { return false }
            return url.port == port && url.proto == proto.lowercased() && url.host == anchor.host
        case .portProto(_, let proto):
            return value == proto.lowercased()
        case .portPort(let port, _):
            return Self.port(value) == port
        case .portAddress:
            return Self.isAddress(value) && value == anchor.host
        }
    }

    /// What follows the Service's name.
    enum Suffix: Equatable {
        case anchor, serviceHost, servicePort, namedServicePort
        case portURL(Int, String), portProto(Int, String), portPort(Int, String), portAddress(Int, String)
    }

    /// Every way of reading `name` as `{S}` + a known suffix.
    static func splits(_ name: String) -> [(service: Substring, suffix: Suffix)] {
        var out: [(Substring, Suffix)] = []
        var search = name.startIndex
        while let found = name[search...].firstRange(of: "_") {
            let service = name[..<found.lowerBound]
            if !service.isEmpty, let suffix = suffix(name[found.upperBound...]) { out.append((service, suffix)) }
            search = found.upperBound
        }
        return out
    }

    /// Parses what follows `{S}_`: `PORT`, `SERVICE_HOST`, `SERVICE_PORT`, `SERVICE_PORT_{NAME}`,
    /// `PORT_{N}_{PROTO}` and `PORT_{N}_{PROTO}_{PROTO|PORT|ADDR}`.
    static func suffix(_ text: Substring) -> Suffix? {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where parts[0] == "PORT": return .anchor
        case 2 where parts == ["SERVICE", "HOST"]: return .serviceHost
        case 2 where parts == ["SERVICE", "PORT"]: return .servicePort
        case 3... where parts[0] == "SERVICE" && parts[1] == "PORT":
            // A port's name upper-cased: letters, digits and `_` (from `-`), never empty.
            let portName = parts.dropFirst(2).joined(separator: "_")
            return portName.allSatisfy({ $0 == "_" || $0.isASCIIUpperOrDigit }) && parts[2].count > 0 ? .namedServicePort : nil
        case 3, 4:
            guard parts[0] == "PORT", let port = port(String(parts[1])), protocols.contains(String(parts[2])) else { return nil }
            let proto = String(parts[2])
            if parts.count == 3 { return .portURL(port, proto) }
            switch parts[3] {
            case "PROTO": return .portProto(port, proto)
            case "PORT": return .portPort(port, proto)
            case "ADDR": return .portAddress(port, proto)
            default: return nil
            }
        default: return nil
        }
    }

    /// A port as Go's `strconv.Itoa` writes one: 1...65535, no sign, no leading zero.
    static func port(_ text: String) -> Int? {
        guard let first = text.first, first != "0", text.count <= 5, text.allSatisfy(\.isASCIIDigit),
              let value = Int(text), (1...65535).contains(value) else { return nil }
        return value
    }

    /// A cluster IP as the kubelet writes it: an address, unbracketed.
    static func isAddress(_ text: String) -> Bool { !text.hasPrefix("[") && IPAddress(text) != nil }

    /// `proto://host:port`, host an IPv4 address or a bracketed IPv6 one.
    struct LinkURL: Equatable {
        let proto: String
        let host: String
        let port: Int

        init?(_ text: String) {
            guard let scheme = text.firstRange(of: "://") else { return nil }
            let proto = String(text[..<scheme.lowerBound])
            guard KubernetesServiceLinks.protocols.contains(proto.uppercased()), proto == proto.lowercased() else { return nil }
            let authority = text[scheme.upperBound...]
            guard let colon = authority.lastIndex(of: ":"),
                  let port = KubernetesServiceLinks.port(String(authority[authority.index(after: colon)...])) else { return nil }
            var host = authority[..<colon]
            if host.first == "[" {
                guard host.last == "]", host.count > 2 else { return nil }
                host = host.dropFirst().dropLast()
                guard host.contains(":"), KubernetesServiceLinks.isAddress(String(host)) else { return nil }
            } else {
                guard !host.contains(":"), KubernetesServiceLinks.isAddress(String(host)) else { return nil }
            }
            (self.proto, self.host, self.port) = (proto, String(host), port)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIIUpperOrDigit: Bool { isASCII && (isUppercase || isNumber) }
}
