import CFaissShim
import CSQLite

/// Versions of the storage libraries this binary is linked against (shown by `adaptclip version`).
public enum RetrievalLibraries {
    /// The SQLite library in use at run time (not the header the build saw).
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }

    /// The FAISS version the C shim was compiled against.
    public static var faissVersion: String { String(cString: afs_version()) }
}
