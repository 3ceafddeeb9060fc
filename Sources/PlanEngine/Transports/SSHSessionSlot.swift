import Synchronization

/// Holds a node's session between commands and lends it to one command at a time; a command that finds it
/// lent (steps running side by side on one node) or gone runs as a command of its own, through the master.
final class SSHSessionSlot: Sendable {
    private enum State {
        case empty
        case idle(SSHSession)
        case lent
        /// `close` came while the session was lent: whoever returns it ends it.
        case closing
    }

    private let state = Mutex(State.empty)

    /// Keeps a newly opened session; false (and the caller ends it) when one is already kept or lent.
    func keep(_ session: SSHSession) -> Bool {
        state.withLock { state in
            guard case .empty = state else { return false }
            state = .idle(session)
            return true
        }
    }

    /// The idle session, now lent to the caller; nil when there is none.
    func borrow() -> SSHSession? {
        state.withLock { state in
            guard case .idle(let session) = state else { return nil }
            state = .lent
            return session
        }
    }

    /// Takes back a lent session; returns it when the caller must end it (it is closed, or `close` came).
    func giveBack(_ session: SSHSession) -> SSHSession? {
        state.withLock { state in
            if case .lent = state, session.isOpen {
                state = .idle(session)
                return nil
            }
            state = .empty
            return session
        }
    }

    /// Empties the slot for `close`: the idle session to end, if there is one.
    func takeForClosing() -> SSHSession? {
        state.withLock { state in
            switch state {
            case .idle(let session):
                state = .empty
                return session
            case .lent:
                state = .closing
                return nil
            case .empty, .closing:
                return nil
            }
        }
    }
}
