import Crypto
import Foundation
import Synchronization

/// A request body that was streamed to a file in the spool directory instead of memory, with
/// its size, SHA-256 and first bytes (enough to tell a file type). The server deletes the file
/// when the request ends unless the handler moved it away with `move(to:)`, so a failed or
/// abandoned upload leaves nothing behind.
public final class UploadedFile: Sendable {
    public let size: Int
    /// Lower-case hexadecimal.
    public let sha256: String
    /// Up to the first `UploadedFile.headLength` bytes.
    public let head: [UInt8]
    let path: String
    private let moved = Atomic<Bool>(false)

    public static let headLength = 64

    init(path: String, size: Int, sha256: String, head: [UInt8]) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.head = head
    }

    /// Renames the file to `destination` (on the same file system), replacing what is there.
    /// Content-addressed stores may replace a file with identical bytes safely.
    public func move(to destination: String) throws {
        guard rename(path, destination) == 0 else {
            throw HTTPServerError("cannot move the upload into place at \(destination): \(String(cString: strerror(errno)))")
        }
        moved.store(true, ordering: .sequentiallyConsistent)
    }

    /// The whole upload, for bodies a handler reads rather than keeps (an NDJSON import).
    public func contents() throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HTTPServerError("cannot read the upload's spool file at \(path)")
        }
        return Array(data)
    }

    func discard() {
        if !moved.load(ordering: .sequentiallyConsistent) { unlink(path) }
    }
}

/// Writes an upload's pieces to a fresh spool file as they arrive, hashing on the way.
final class UploadReceiver {
    let limit: Int
    private(set) var received = 0
    /// Set when writing failed (disk full, say); the file is gone already.
    private(set) var failure: String?
    private var descriptor: Int32
    private let path: String
    private let hash = SHA256Stream()
    private var head: [UInt8] = []

    /// Creates the spool file (mode 0600, a name nobody chose but us).
    init(spoolDirectory: String, limit: Int) throws {
        let path = "\(spoolDirectory)/upload-\(UUID().uuidString)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HTTPServerError("cannot create a spool file in \(spoolDirectory): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.path = path
        self.limit = limit
    }

    /// False when the piece would take the body over its limit (the file is then removed).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return true }
        guard received + bytes.count <= limit else {
            abandon()
            return false
        }
        if head.count < UploadedFile.headLength {
            head.append(contentsOf: bytes.prefix(UploadedFile.headLength - head.count))
        }
        hash.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                abandon()
                return true
            }
            offset += written
        }
        received += bytes.count
        return true
    }

    /// Closes the file and hands it over; nil when writing failed.
    func complete() -> UploadedFile? {
        guard failure == nil, descriptor >= 0 else { return nil }
        close(descriptor)
        descriptor = -1
        return UploadedFile(path: path, size: received, sha256: hash.finish().hex, head: head)
    }

    /// Closes and removes the file: the body was refused, failed or the connection went away.
    func abandon() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
            unlink(path)
        }
    }
}

/// A response body read from an open file by libmicrohttpd (sendfile where it can), so a large
/// download never passes through memory. Owns the descriptor until the server hands it over.
public final class ResponseFile: @unchecked Sendable {
    public let size: Int
    public let offset: Int
    public let length: Int
    private let lock = NSLock()
    private var descriptor: Int32

    /// Opens `path` for the byte range `offset..<offset+length` (the whole file by default).
    public init(path: String, range: Range<Int>? = nil) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HTTPServerError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw HTTPServerError("cannot read the size of \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
        let range = range ?? 0..<size
        offset = range.lowerBound
        length = range.count
    }

    /// Gives the descriptor to libmicrohttpd, which closes it.
    func take() -> Int32 {
        lock.withLock {
            defer { descriptor = -1 }
            return descriptor
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}
