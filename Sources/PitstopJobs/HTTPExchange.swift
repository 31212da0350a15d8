import Foundation
import HTTPClient

/// One HTTP request to a channel under way, on a thread of its own (libcurl sleeps in its poll
/// until bytes arrive, and gives up at the request's deadline), so nothing of the sender waits on
/// it; and cancellable, so that a stopping worker lets go of it within about a second.
final class HTTPExchange: @unchecked Sendable {
    typealias Answer = HTTPClient.Answer

    private let lock = NSLock()
    private var answer: Answer?
    private var abandoned = false
    private let cancellation = HTTPClient.Cancellation()
    private let done: @Sendable () -> Void
    private let answered = DispatchGroup()

    /// `done` runs once the exchange has an answer or has been let go of.
    init(done: @escaping @Sendable () -> Void) {
        self.done = done
        answered.enter()
    }

    func start(_ request: HTTPClient.Request) {
        let thread = Thread { [self] in finish(HTTPClient.perform(request, cancellation: cancellation)) }
        thread.name = "delivery-send"
        thread.start()
    }

    /// Ends the exchange with `answer`; only the first one counts.
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

    /// The worker is stopping: the delivery goes back untried, whatever the endpoint does next.
    func abandon() {
        lock.withLock { if answer == nil { abandoned = true } }
        cancellation.cancel()
        finish(.none("the worker stopped"))
    }

    func waitUntilDone() {
        answered.wait()
    }

    /// The answer, once there is one, and whether the sender let go first.
    var outcome: (answer: Answer, abandoned: Bool)? {
        lock.withLock { answer.map { ($0, abandoned) } }
    }
}
