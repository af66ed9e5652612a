import Testing
@testable import Service

/// The loader skips the variables the kubelet injects for Services named `adaptclip…` and still
/// refuses every other unknown `ADAPTCLIP_` variable.
@Suite struct KubernetesServiceLinkTests {
    /// What the kubelet writes for a Service `name` (upper-cased, `-` as `_`) with cluster IP
    /// `ip` and `ports` (the first is the Docker-links `_PORT`), as pkg/kubelet/envvars does.
    static func injected(service: String, ip: String, ports: [(port: Int, proto: String, name: String?)]) -> [String: String] {
        let prefix = service.uppercased().replacingOccurrences(of: "-", with: "_")
        let hostPort = ip.contains(":") ? "[\(ip)]" : ip
        var out = ["\(prefix)_SERVICE_HOST": ip, "\(prefix)_SERVICE_PORT": "\(ports[0].port)"]
        for (index, entry) in ports.enumerated() {
            let proto = entry.proto.lowercased()
            if let name = entry.name {
                out["\(prefix)_SERVICE_PORT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = "\(entry.port)"
            }
            if index == 0 { out["\(prefix)_PORT"] = "\(proto)://\(hostPort):\(entry.port)" }
            let portPrefix = "\(prefix)_PORT_\(entry.port)_\(entry.proto.uppercased())"
            out[portPrefix] = "\(proto)://\(hostPort):\(entry.port)"
            out["\(portPrefix)_PROTO"] = proto
            out["\(portPrefix)_PORT"] = "\(entry.port)"
            out["\(portPrefix)_ADDR"] = ip
        }
        return out
    }

    @Test func theIssuesCaseLoads() throws {
        let loader = ConfigurationLoader(environment: ["ADAPTCLIP_PORT": "tcp://10.96.0.12:80"])
        let config = try loader.load()
        #expect(config.server.port == 8080)
        #expect(loader.ignoredServiceLinks == ["ADAPTCLIP_PORT"])
    }

    @Test func everyVariableOfAServiceNamedAdaptclipIsIgnored() throws {
        let environment = Self.injected(service: "adaptclip", ip: "10.96.0.12", ports: [(80, "TCP", "http"), (9090, "TCP", "metrics")])
        #expect(environment.count == 13)  // host, port, 2 named ports, the anchor, 4 per port
        let loader = ConfigurationLoader(environment: environment.merging(["ADAPTCLIP_SERVER_PORT": "9000"]) { a, _ in a })
        #expect(try loader.load().server.port == 9000)
        #expect(loader.ignoredServiceLinks == environment.keys.sorted())
    }

    @Test func servicesNamedAfterThePrefixWithIPv6UDPAndSCTPPortsAreIgnored() throws {
        var environment = Self.injected(service: "adaptclip-postgres", ip: "fd00:10:96::1f", ports: [(5432, "TCP", nil)])
        environment.merge(Self.injected(service: "adaptclip-port", ip: "10.0.0.7", ports: [(53, "UDP", "dns"), (7000, "SCTP", "x-2")])) { a, _ in a }
        #expect(environment["ADAPTCLIP_POSTGRES_PORT"] == "tcp://[fd00:10:96::1f]:5432")
        #expect(environment["ADAPTCLIP_PORT_PORT_7000_SCTP_PROTO"] == "sctp")
        let loader = ConfigurationLoader(environment: environment)
        _ = try loader.load()
        #expect(loader.ignoredServiceLinks.count == environment.count)
    }

    @Test func mistypedKeysAreStillRefusedByName() {
        for (name, value) in [
            ("ADAPTCLIP_PORT", "8080"),  // server.port meant, not a link URL
            ("ADAPTCLIP_SERVER_PROT", "tcp://10.96.0.12:80"),  // not a link variable's shape
            ("ADAPTCLIP_SERVICE_PORT", "8080"),  // the kubelet's shape, but no `ADAPTCLIP_PORT` anchor
            ("ADAPTCLIP_SERVICE_HOST", "0.0.0.0"),
            ("ADAPTCLIP_PORT", "http://10.96.0.12:80"),  // not a Service protocol
            ("ADAPTCLIP_PORT", "tcp://adaptclip:80"),  // a name, not a cluster IP
            ("ADAPTCLIP_PORT", "tcp://10.96.0.12:080"),  // Go never writes a leading zero
            ("ADAPTCLIP_PORT", "tcp://fd00::1:80"),  // an IPv6 address is bracketed
            ("ADAPTCLIPX_PORT", "tcp://10.96.0.12:80"),
        ] where name.hasPrefix("ADAPTCLIP_") {
            #expect(throws: ConfigurationError.unknownKey(key: name, source: "the environment"), "\(name)=\(value)") {
                try ConfigurationLoader(environment: [name: value]).load()
            }
        }
    }

    @Test func aVariableThatDisagreesWithItsServicesAnchorIsRefused() {
        let anchor = ["ADAPTCLIP_PORT": "tcp://10.96.0.12:80"]
        for (name, value) in [
            ("ADAPTCLIP_SERVICE_HOST", "10.96.0.13"),  // another address
            ("ADAPTCLIP_SERVICE_PORT", "8080"),  // not the first port
            ("ADAPTCLIP_SERVICE_PORT_HTTP", "8080"),  // a port the Service does not have
            ("ADAPTCLIP_PORT_80_TCP", "udp://10.96.0.12:80"),  // protocol differs from the name
            ("ADAPTCLIP_PORT_80_TCP_PORT", "81"),
            ("ADAPTCLIP_PORT_80_TCP_PROTO", "TCP"),
            ("ADAPTCLIP_PORT_80_TCP_ADDR", "10.96.0.99"),
            ("ADAPTCLIP_PORT_80_HTTP", "tcp://10.96.0.12:80"),
            ("ADAPTCLIP_PORT_80_TCP_HOST", "10.96.0.12"),
        ] {
            #expect(throws: ConfigurationError.unknownKey(key: name, source: "the environment"), "\(name)=\(value)") {
                try ConfigurationLoader(environment: anchor.merging([name: value]) { a, _ in a }).load()
            }
        }
    }

    @Test func aServiceNamedAfterAKeyIsRefusedWithTheWayOut() {
        // A Service `adaptclip-server` makes ADAPTCLIP_SERVER_PORT a link URL.
        let environment = Self.injected(service: "adaptclip-server", ip: "10.96.0.40", ports: [(80, "TCP", nil)])
        do {
            _ = try ConfigurationLoader(environment: environment).load()
            Issue.record("loaded a Service address as server.port")
        } catch let error as ConfigurationError {
            guard case .invalidValue(let key, _, let reason) = error else { Issue.record("\(error)"); return }
            #expect(key == "server.port")
            #expect(reason.contains("enableServiceLinks: false"))
        } catch { Issue.record("\(error)") }
    }

    @Test func namesSplitEveryWayTheyCan() {
        // `ADAPTCLIP_PORT_PORT` reads only as the anchor of a Service `adaptclip-port`
        // (`adaptclip` + `_PORT_PORT` is no shape of the kubelet's).
        let splits = KubernetesServiceLinks.splits("ADAPTCLIP_PORT_PORT")
        #expect(splits.map(\.service) == ["ADAPTCLIP_PORT"])
        #expect(KubernetesServiceLinks.suffix("PORT_80_TCP_ADDR") == .portAddress(80, "TCP"))
        #expect(KubernetesServiceLinks.suffix("SERVICE_PORT_HTTP_ALT") == .namedServicePort)
        #expect(KubernetesServiceLinks.suffix("PORT_0_TCP") == nil)
        #expect(KubernetesServiceLinks.suffix("PORT_65536_TCP") == nil)
        #expect(KubernetesServiceLinks.suffix("SERVICE_PORT_") == nil)
    }
}
