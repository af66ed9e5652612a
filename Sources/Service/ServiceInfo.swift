/// The service's own version, reported by `adaptclip version` and `/readyz`.
public enum ServiceInfo {
    public static let version = "0.1.0"
}
