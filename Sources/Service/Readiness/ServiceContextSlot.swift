import Synchronization

/// Where the routes find the service's context. The server listens before the models are
/// loaded and the store is open (so that liveness answers and readiness says what it waits
/// for, however long a large model or an index recovery takes); until start-up fills the
/// slot, the routes that need the context answer 503.
final class ServiceContextSlot: Sendable {
    let configuration: AdaptCLIPConfiguration
    let readiness: ServiceReadiness
    private let filled = Mutex<ServiceContext?>(nil)

    init(configuration: AdaptCLIPConfiguration, readiness: ServiceReadiness) {
        self.configuration = configuration
        self.readiness = readiness
    }

    /// Already filled: what tests and tools that build a context themselves route with.
    convenience init(_ context: ServiceContext, readiness: ServiceReadiness = ServiceReadiness()) {
        self.init(configuration: context.configuration, readiness: readiness)
        fill(context)
    }

    var context: ServiceContext? { filled.withLock { $0 } }

    func fill(_ context: ServiceContext) { filled.withLock { $0 = context } }
}
