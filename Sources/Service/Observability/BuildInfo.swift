import Numerics

/// What `adaptclip_build_info` reports: which build runs on which CPU, for dashboards that
/// compare latencies across deployments.
enum BuildInfo {
    /// The compiler that built this binary (the language mode is Swift 6 whatever it says).
    static let swiftVersion: String = {
        #if compiler(>=6.4)
        "6.4+"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }()

    static var labels: [(String, String)] {
        [("version", ServiceInfo.version), ("swift_version", swiftVersion), ("cpu", CPUDescription.current.modelName)]
    }
}
