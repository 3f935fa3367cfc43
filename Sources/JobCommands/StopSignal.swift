#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The signal that asked the process to stop, 0 while none has.
private let receivedSignal = Atomic<Int32>(0)

/// SIGINT and SIGTERM stop a run cleanly: the handler only records the signal (an
/// atomic store is all a signal handler may safely do); the run checks it between
/// batches, takes a final checkpoint and exits.
public enum StopSignal {
    public static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in receivedSignal.store(received, ordering: .relaxed) }
            sigaddset(&unblock, sig)
        }
        // A parent may have started us with these blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        // A write beyond a file size limit fails with EFBIG and is reported like a full
        // disk, instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
    }

    public static var received: Int32? {
        let sig = receivedSignal.load(ordering: .relaxed)
        return sig == 0 ? nil : sig
    }
}
