import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request to a channel under way: started on URLSession's own threads, so nothing of
/// the sender waits on it, and cancellable, so that a stopping worker or an endpoint past its
/// deadline lets go of it at once.
final class HTTPExchange: @unchecked Sendable {
    struct Answer: Sendable {
        var status: Int?
        var retryAfter: String?
        var body: [UInt8]
        var error: String?
    }

    /// Why the sender let go of an exchange before it answered.
    enum Abandon: Sendable {
        /// The endpoint took longer than the deadline: a failure like any other.
        case deadline
        /// The worker is stopping: the delivery goes back untried.
        case stopping
    }

    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var answer: Answer?
    private var abandoned: Abandon?
    private let done: @Sendable () -> Void
    private let answered = DispatchGroup()

    /// `done` runs once the exchange has an answer or has been let go of.
    init(done: @escaping @Sendable () -> Void) {
        self.done = done
        answered.enter()
    }

    func waitUntilDone() {
        answered.wait()
    }

    func start(_ request: URLRequest, session: URLSession) {
        let task = session.dataTask(with: request) { [self] data, response, error in
            let http = response as? HTTPURLResponse
            finish(Answer(status: http?.statusCode, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
                          body: data.map(Array.init) ?? [], error: error.map { $0.localizedDescription }))
        }
        lock.withLock { self.task = task }
        task.resume()
    }

    /// Ends the exchange without a request (refused before sending).
    func finish(_ answer: Answer) {
        let first = lock.withLock { () -> Bool in
            guard self.answer == nil else { return false }
            self.answer = answer
            return true
        }
        if first {
            answered.leave()
            done()
        }
    }

    func abandon(_ reason: Abandon) {
        let task = lock.withLock { () -> URLSessionDataTask? in
            if abandoned == nil && answer == nil { abandoned = reason }
            return self.task
        }
        task?.cancel()
        finish(Answer(status: nil, retryAfter: nil, body: [], error: reason == .deadline ? "no answer before the deadline" : "the worker stopped"))
    }

    /// The answer, once there is one, and whether the sender let go first.
    var outcome: (answer: Answer, abandoned: Abandon?)? {
        lock.withLock { answer.map { ($0, abandoned) } }
    }
}
