import Foundation
import Testing
import Digests
@testable import Models

/// The fixture weights hash to the digests their manifests carry (written by Python's hashlib).
@Suite struct AdapterManifestSHA256Tests {
    @Test func fixtureWeightsHashToTheirManifests() throws {
        for name in LanguageAdapterParityTests.adapters {
            let directory = languageAdapterFixture(name)
            let manifest = try LanguageAdapterManifest.load(directory: directory)
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("adapter.safetensors")))
            #expect(SHA256.hexDigest(of: bytes) == manifest.weights.sha256, "\(name)")
        }
    }
}
