import Foundation
import PitstopCore
import Testing

@Suite struct WorkOrderLifecycleTests {
    typealias S = WorkOrderStatus

    /// The whole step table, written out independently of the implementation: every step the
    /// state allows, and who may make it. "desk" may make every one.
    static let expected: [String: Set<StepActor>] = [
        "new>assigned": [.desk, .automation, .otherEngineer], "new>cancelled": [.desk],
        "assigned>accepted": [.desk, .assignedEngineer], "assigned>new": [.desk, .assignedEngineer, .automation],
        "assigned>cancelled": [.desk],
        "accepted>diagnosing": [.desk, .assignedEngineer], "accepted>cancelled": [.desk],
        "diagnosing>awaiting_parts": [.desk, .assignedEngineer], "diagnosing>repairing": [.desk, .assignedEngineer],
        "diagnosing>cancelled": [.desk],
        "awaiting_parts>repairing": [.desk, .assignedEngineer], "awaiting_parts>cancelled": [.desk],
        "repairing>awaiting_parts": [.desk, .assignedEngineer], "repairing>quality_check": [.desk, .assignedEngineer],
        "repairing>cancelled": [.desk],
        "quality_check>awaiting_acceptance": [.desk, .inspector], "quality_check>repairing": [.desk, .inspector],
        "quality_check>cancelled": [.desk],
        "awaiting_acceptance>completed": [.desk, .customer], "awaiting_acceptance>repairing": [.desk],
        "awaiting_acceptance>cancelled": [.desk],
        "completed>reopened": [.desk],
        "reopened>assigned": [.desk, .automation, .otherEngineer], "reopened>cancelled": [.desk],
    ]

    /// Every status × every status × every actor: allowed exactly as the table above says, a
    /// step the state does not allow refused as such whoever asks, and one the state allows
    /// refused to everyone else naming who may.
    @Test(arguments: S.allCases)
    func everyStepFromOneStateForEveryActor(from: S) {
        let completedAt = Date(timeIntervalSince1970: 1_000_000)
        for to in S.allCases {
            let permitted = Self.expected["\(from.rawValue)>\(to.rawValue)"]
            for actor in StepActor.allCases {
                let outcome = Result { () throws(WorkOrderLifecycle.TransitionError) in
                    try WorkOrderLifecycle.validate(from: from, to: to, by: actor, reason: "customer withdrew", completedAt: completedAt,
                                                    now: completedAt.addingTimeInterval(3600))
                }
                let step = "\(from.rawValue) → \(to.rawValue) by \(actor.rawValue)"
                switch (outcome, permitted) {
                case (.success, let permitted?):
                    #expect(permitted.contains(actor), "\(step) should be refused")
                case (.success, nil):
                    Issue.record("\(step) should be refused: the state does not allow it")
                case (.failure(let error), nil):
                    #expect(error == .notAllowed(current: from, requested: to, allowed: WorkOrderLifecycle.allowedNext(from: from)))
                case (.failure(let error), let permitted?):
                    #expect(!permitted.contains(actor), "\(step) should be allowed")
                    #expect(error == .notPermitted(current: from, requested: to, actor: actor, permitted: permitted))
                }
            }
        }
    }

    @Test func theDeskMayMakeEveryStepTheStateAllows() {
        for (from, next) in WorkOrderLifecycle.steps {
            for (to, actors) in next { #expect(actors.contains(.desk), "\(from) → \(to)") }
        }
    }

    @Test func refusalNamesTheCurrentStatusAndTheAllowedNextOnes() {
        let error = #expect(throws: WorkOrderLifecycle.TransitionError.self) {
            try WorkOrderLifecycle.validate(from: .new, to: .repairing, by: .desk)
        }
        #expect(error?.description == "a new order cannot become repairing; allowed next: assigned, cancelled")
        let final = #expect(throws: WorkOrderLifecycle.TransitionError.self) {
            try WorkOrderLifecycle.validate(from: .cancelled, to: .new, by: .desk)
        }
        #expect(final?.description.hasSuffix("it is final") == true)
    }

    @Test func aStepNotYoursNamesWhoMayMakeIt() {
        let error = #expect(throws: WorkOrderLifecycle.TransitionError.self) {
            try WorkOrderLifecycle.validate(from: .qualityCheck, to: .awaitingAcceptance, by: .assignedEngineer)
        }
        #expect(error?.description == "only a dispatcher or admin key or an inspector key may move a quality_check order to "
            + "awaiting_acceptance; you act as the assigned engineer")
    }

    /// An engineer key is the assigned engineer on its own order only; roles map to one row each.
    @Test func whoAKeyActsAs() {
        let engineer = UUID()
        func key(_ role: Role, _ engineerID: UUID? = nil) -> ActingParty {
            .key(APIKey(id: UUID(), tenantID: UUID(), name: "k", role: role, engineerID: engineerID, displayPrefix: "psk_x",
                        createdAt: Date(), lastUsedAt: nil, revokedAt: nil))
        }
        #expect(key(.engineer, engineer).stepActor(assignee: engineer) == .assignedEngineer)
        #expect(key(.engineer, engineer).stepActor(assignee: UUID()) == .otherEngineer)
        #expect(key(.engineer, engineer).stepActor(assignee: nil) == .otherEngineer)
        #expect(key(.admin).stepActor(assignee: engineer) == .desk)
        #expect(key(.dispatcher).stepActor(assignee: nil) == .desk)
        #expect(key(.inspector).stepActor(assignee: engineer) == .inspector)
        #expect(key(.integration).stepActor(assignee: nil) == .integration)
        #expect(key(.readonly).stepActor(assignee: nil) == .readonly)
        #expect(ActingParty.customer(via: UUID()).stepActor(assignee: engineer) == .customer)
        #expect(ActingParty.automation.stepActor(assignee: nil) == .automation)
        #expect(ActingParty.console.stepActor(assignee: nil) == .desk)
    }

    @Test func cancellingNeedsAReason() {
        for reason in [nil, "", "   "] {
            #expect(throws: WorkOrderLifecycle.TransitionError.reasonRequired) {
                try WorkOrderLifecycle.validate(from: .repairing, to: .cancelled, by: .desk, reason: reason)
            }
        }
    }

    @Test func reopeningOnlyWithinTheWindow() throws {
        let completed = Date(timeIntervalSince1970: 2_000_000)
        let day: TimeInterval = 86400
        try WorkOrderLifecycle.validate(from: .completed, to: .reopened, by: .desk, completedAt: completed,
                                        now: completed.addingTimeInterval(7 * day), reopenWindow: 7 * day)
        #expect(throws: WorkOrderLifecycle.TransitionError.reopenWindowClosed(days: 7)) {
            try WorkOrderLifecycle.validate(from: .completed, to: .reopened, by: .desk, completedAt: completed,
                                            now: completed.addingTimeInterval(7 * day + 1), reopenWindow: 7 * day)
        }
        #expect(throws: WorkOrderLifecycle.TransitionError.reopenWindowClosed(days: 30)) {
            try WorkOrderLifecycle.validate(from: .completed, to: .reopened, by: .desk, completedAt: nil)
        }
    }

    @Test func openStates() {
        #expect(S.allCases.filter { !$0.isOpen } == [.completed, .cancelled])
    }
}
