import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GET requests over libcurl that can only reach addresses the caller has already checked.
///
/// Why libcurl and not URLSession: URLSession (FoundationNetworking on Linux) resolves the
/// name itself when it connects, so the address checked before the fetch and the address
/// connected to could differ (DNS rebinding), and it follows redirects before a delegate sees
/// them on some paths. Here:
/// - `CURLOPT_RESOLVE` hands curl the checked addresses, so it never looks the name up, and
///   `CURLOPT_OPENSOCKETFUNCTION` sees the address of every socket curl opens and refuses any
///   other (should a name ever reach curl's resolver in a form the pin did not match);
/// - no redirects are followed (the caller follows them, with the same checks);
/// - protocols are http and https only, proxies from the environment are ignored, and no
///   content decoding is asked for (no compression bomb can inflate past the byte limit);
/// - the body goes through a write callback that stops at `maxBytes`; `CURLOPT_MAXFILESIZE`
///   refuses an announced larger body before it is sent;
/// - connect and total time are bounded, and a cancelled request stops the transfer at the
///   next progress callback.
/// One instance serves one fetch (a URL and its redirects, all on one origin) on one thread.
final class PinnedTransfer {
    struct Response {
        let status: Int
        /// The absolute URL of a `Location` header, resolved against the request's URL.
        let redirect: String?
        let body: [UInt8]
    }

    enum Failure: Error, Equatable {
        case tooLarge
        case timedOut
        case cancelled
        /// curl wanted to connect to an address that was not checked.
        case unpinnedAddress
        /// curl's own text for the error code (a fixed string: never bytes from the network).
        case transport(String)
    }

    /// What the C callbacks reach through their `void *` argument.
    private final class State {
        let allowed: Set<IPAddress>
        let maxBytes: Int
        let cancellation: FetchCancellation
        var body: [UInt8] = []
        var exceeded = false
        var unpinned = false

        init(allowed: Set<IPAddress>, maxBytes: Int, cancellation: FetchCancellation) {
            self.allowed = allowed
            self.maxBytes = maxBytes
            self.cancellation = cancellation
        }
    }

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    private let handle: UnsafeMutableRawPointer
    private var pins: UnsafeMutablePointer<curl_slist>?
    private let state: State

    /// `addresses`: the checked addresses of `origin.host` (for an IP literal host, just it).
    init(origin: FetchOrigin, addresses: [IPAddress], maxBytes: Int, cancellation: FetchCancellation) throws(Failure) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else { throw .transport("libcurl could not be initialised") }
        self.handle = handle
        state = State(allowed: Set(addresses), maxBytes: maxBytes, cancellation: cancellation)
        if IPAddress(origin.host) == nil {
            let list = addresses.map { $0.isIPv4 ? "\($0)" : "[\($0)]" }.joined(separator: ",")
            pins = curl_slist_append(nil, "\(origin.host):\(origin.port):\(list)")
        }
        let context = Unmanaged.passUnretained(state).toOpaque()
        var status = CURLE_OK
        func set(_ code: CURLcode) { if status == CURLE_OK { status = code } }
        set(adaptclip_curl_set_list(handle, CURLOPT_RESOLVE, pins))
        set(adaptclip_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(adaptclip_curl_set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set(adaptclip_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(adaptclip_curl_set_string(handle, CURLOPT_PROXY, ""))
        set(adaptclip_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        set(adaptclip_curl_set_string(handle, CURLOPT_USERAGENT, "adaptclip-image-fetch"))
        set(adaptclip_curl_set_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)))
        set(adaptclip_curl_set_write_function(handle, Self.write))
        set(adaptclip_curl_set_data(handle, CURLOPT_WRITEDATA, context))
        set(adaptclip_curl_set_opensocket_function(handle, Self.openSocket))
        set(adaptclip_curl_set_data(handle, CURLOPT_OPENSOCKETDATA, context))
        set(adaptclip_curl_set_xferinfo_function(handle, Self.progress))
        set(adaptclip_curl_set_data(handle, CURLOPT_XFERINFODATA, context))
        set(adaptclip_curl_set_long(handle, CURLOPT_NOPROGRESS, 0))
        guard status == CURLE_OK else {
            curl_easy_cleanup(handle)
            curl_slist_free_all(pins)
            throw .transport(String(cString: curl_easy_strerror(status)))
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(pins)
    }

    /// One GET of `url` (which must be on the origin given at init), within `timeoutMilliseconds`.
    func get(_ url: FetchURL, timeoutMilliseconds: Int) -> Result<Response, Failure> {
        state.body = []
        state.exceeded = false
        state.unpinned = false
        let milliseconds = max(1, timeoutMilliseconds)
        var status = adaptclip_curl_set_url(handle, url.handle)
        if status == CURLE_OK { status = adaptclip_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds) }
        if status == CURLE_OK { status = adaptclip_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds) }
        if status == CURLE_OK { status = curl_easy_perform(handle) }
        if state.exceeded || status == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge) }
        if state.unpinned { return .failure(.unpinnedAddress) }
        if state.cancellation.isCancelled { return .failure(.cancelled) }
        switch status {
        case CURLE_OK: break
        case CURLE_OPERATION_TIMEDOUT: return .failure(.timedOut)
        default: return .failure(.transport(String(cString: curl_easy_strerror(status))))
        }
        var code = 0
        _ = adaptclip_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code)
        var location: UnsafeMutablePointer<CChar>?
        _ = adaptclip_curl_get_string(handle, CURLINFO_REDIRECT_URL, &location)
        return .success(Response(status: code, redirect: location.map { String(cString: $0) }, body: state.body))
    }

    // MARK: - Callbacks (C function pointers: no captures, the state comes through `context`)

    private static let write: curl_write_callback = { pointer, size, count, context in
        guard let context else { return 0 }
        let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
        let bytes = size * count
        guard state.body.count + bytes <= state.maxBytes else {
            state.exceeded = true
            return 0  // anything but `bytes` makes curl stop with CURLE_WRITE_ERROR
        }
        if let pointer { state.body.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: bytes)) }
        return bytes
    }

    private static let openSocket: curl_opensocket_callback = { context, _, address in
        guard let context, let address else { return CURL_SOCKET_BAD }
        let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
        var raw = [UInt8](repeating: 0, count: 16)
        let count = Int(adaptclip_curl_address_bytes(address, &raw))
        guard let target = IPAddress(bytes: Array(raw.prefix(count))), state.allowed.contains(target) else {
            state.unpinned = true
            return CURL_SOCKET_BAD
        }
        return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
    }

    private static let progress: curl_xferinfo_callback = { context, _, _, _, _ in
        guard let context else { return 1 }
        return Unmanaged<State>.fromOpaque(context).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
    }
}

/// Set when the request that started a fetch is cancelled; read by the transfer's progress
/// callback on the fetch thread.
final class FetchCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    var isCancelled: Bool { flag.load(ordering: .relaxed) }

    func cancel() { flag.store(true, ordering: .relaxed) }
}
