import Foundation
import PitstopCore
import Testing

@Suite struct WorkOrderLifecycleTests {
    typealias S = WorkOrderStatus

    /// The whole table, written out independently of the implementation: every pair of states.
    static let expected: Set<String> = [
        "new>assigned", "new>cancelled",
        "assigned>accepted", "assigned>new", "assigned>cancelled",
        "accepted>diagnosing", "accepted>cancelled",
        "diagnosing>awaiting_parts", "diagnosing>repairing", "diagnosing>cancelled",
        "awaiting_parts>repairing", "awaiting_parts>cancelled",
        "repairing>awaiting_parts", "repairing>quality_check", "repairing>cancelled",
        "quality_check>awaiting_acceptance", "quality_check>repairing", "quality_check>cancelled",
        "awaiting_acceptance>completed", "awaiting_acceptance>repairing", "awaiting_acceptance>cancelled",
        "completed>reopened",
        "reopened>assigned", "reopened>cancelled",
    ]

    @Test(arguments: S.allCases)
    func everyPairFromOneState(from: S) {
        let completedAt = Date(timeIntervalSince1970: 1_000_000)
        for to in S.allCases {
            let allowed = Self.expected.contains("\(from.rawValue)>\(to.rawValue)")
            let outcome = Result { () throws(WorkOrderLifecycle.TransitionError) in
                try WorkOrderLifecycle.validate(from: from, to: to, reason: "customer withdrew", completedAt: completedAt,
                                                now: completedAt.addingTimeInterval(3600))
            }
            switch outcome {
            case .success: #expect(allowed, "\(from.rawValue) → \(to.rawValue) should be refused")
            case .failure(let error):
                #expect(!allowed, "\(from.rawValue) → \(to.rawValue) should be allowed")
                #expect(error == .notAllowed(current: from, requested: to, allowed: WorkOrderLifecycle.allowedNext(from: from)))
            }
        }
    }

    @Test func refusalNamesTheCurrentStatusAndTheAllowedNextOnes() {
        let error = #expect(throws: WorkOrderLifecycle.TransitionError.self) {
            try WorkOrderLifecycle.validate(from: .new, to: .repairing)
        }
        #expect(error?.description == "a new order cannot become repairing; allowed next: assigned, cancelled")
        let final = #expect(throws: WorkOrderLifecycle.TransitionError.self) {
            try WorkOrderLifecycle.validate(from: .cancelled, to: .new)
        }
        #expect(final?.description.hasSuffix("it is final") == true)
    }

    @Test func cancellingNeedsAReason() {
        for reason in [nil, "", "   "] {
            #expect(throws: WorkOrderLifecycle.TransitionError.reasonRequired) {
                try WorkOrderLifecycle.validate(from: .repairing, to: .cancelled, reason: reason)
            }
        }
    }

    @Test func reopeningOnlyWithinTheWindow() throws {
        let completed = Date(timeIntervalSince1970: 2_000_000)
        let day: TimeInterval = 86400
        try WorkOrderLifecycle.validate(from: .completed, to: .reopened, completedAt: completed,
                                        now: completed.addingTimeInterval(7 * day), reopenWindow: 7 * day)
        #expect(throws: WorkOrderLifecycle.TransitionError.reopenWindowClosed(days: 7)) {
            try WorkOrderLifecycle.validate(from: .completed, to: .reopened, completedAt: completed,
                                            now: completed.addingTimeInterval(7 * day + 1), reopenWindow: 7 * day)
        }
        #expect(throws: WorkOrderLifecycle.TransitionError.reopenWindowClosed(days: 30)) {
            try WorkOrderLifecycle.validate(from: .completed, to: .reopened, completedAt: nil)
        }
    }

    @Test func openStates() {
        #expect(S.allCases.filter { !$0.isOpen } == [.completed, .cancelled])
    }
}
