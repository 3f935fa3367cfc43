import CloudPool
import Testing

/// A partition's lease on a logical clock (milliseconds): when its holder renews, and
/// when it must stop publishing, whatever the server answers.
@Suite struct PartitionLeaseTests {
    @Test func theHolderRenewsAQuarterIntoItsTermAndStopsPublishingBeforeTheTermCanEnd() {
        var lease = PartitionLease(key: "cloud.3", leaseMs: 10_000, revision: 7, sentAtMs: 1_000)
        #expect(!lease.renewalDue(atMs: 3_499) && lease.renewalDue(atMs: 3_500))
        // The server lets the key lapse 10 s after it stored the create, which it did
        // after 1_000: the holder stops 2 s (a fifth) before 11_000, renewed or not.
        #expect(lease.mayPublish(atMs: 8_999) && !lease.mayPublish(atMs: 9_000))
        lease.renewed(revision: 12, sentAtMs: 3_600)
        #expect(lease.revision == 12 && lease.mayPublish(atMs: 11_599) && !lease.mayPublish(atMs: 11_600))
        #expect(!lease.renewalDue(atMs: 6_099) && lease.renewalDue(atMs: 6_100))
    }

    /// An answer that comes late, to a renewal sent before the last one stored, never
    /// moves the term back.
    @Test func aLateAnswerToAnEarlierRenewalDoesNotShortenTheTerm() {
        var lease = PartitionLease(key: "cloud.0", leaseMs: 3_000, revision: 1, sentAtMs: 0)
        lease.renewed(revision: 5, sentAtMs: 2_000)
        lease.renewed(revision: 6, sentAtMs: 1_000)
        #expect(lease.mayPublish(atMs: 4_399) && !lease.mayPublish(atMs: 4_400))
        #expect(lease.marginMs == 600)
    }

    @Test func aShortLeaseStillKeepsHalfASecondBack() {
        let lease = PartitionLease(key: "cloud.1", leaseMs: 1_000, revision: 1, sentAtMs: 0)
        #expect(lease.marginMs == 500 && lease.mayPublish(atMs: 499) && !lease.mayPublish(atMs: 500))
    }
}

/// live.md section 4: a location's partition is FNV-1a (32 bit) of its name mod P.
@Suite struct LocationPartitionTests {
    @Test func fnv1aGivesTheReferenceValues() {
        #expect(LocationPartition.fnv1a32("") == 0x811C_9DC5)
        #expect(LocationPartition.fnv1a32("a") == 0xE40C_292C)
        #expect(LocationPartition.fnv1a32("foobar") == 0xBF9C_F968)
        #expect(LocationPartition.of("foobar", partitions: 16) == Int(0xBF9C_F968 % 16))
    }

    @Test func theLocationIsTheSubjectsThirdToken() {
        #expect(LocationPartition.location(ofSubject: "tillflow.in.store-0042.pos") == "store-0042")
        #expect(LocationPartition.location(ofSubject: "tillflow.in.wh-01.inventory") == "wh-01")
        #expect(LocationPartition.location(ofSubject: "tillflow.in.x") == nil)
        #expect(LocationPartition.location(ofSubject: "tillflow.in..pos") == nil)
        #expect(LocationPartition.location(ofSubject: "tillflow.out.s.valid.x") == nil)
    }
}
