/// Every metric Tillflow exports, with the help text Prometheus shows for it: the one
/// list that `/metrics`, docs/OPERATIONS.md and the alerting rules are checked against
/// (a test fails when a metric in the code is missing here or in the docs).
public enum MetricCatalog {
    public static let help: [String: String] = [
        "tillflow_records_in_total": "Input records read (clock marks not counted); a restored run starts from its checkpoint's count.",
        "tillflow_records_out_total": "Rows published and acknowledged, per output.",
        "tillflow_dead_letters_total": "Records rejected to the invalid output, per reason (records.md).",
        "tillflow_clock_marks_total": "Clock marks read from the node's input.",
        "tillflow_input_lag_messages": "Input stream messages after the last one read.",
        "tillflow_watermark_lag_seconds": "Wall clock minus the event-time watermark (a partition: of its least and greatest location).",
        "tillflow_checkpoints_total": "Checkpoints taken by this process.",
        "tillflow_checkpoint_duration_seconds": "Time to take a checkpoint (a partition's: its locations, packing and upload).",
        "tillflow_checkpoint_size_bytes": "Size of the last checkpoint's state.",
        "tillflow_last_checkpoint_timestamp_seconds": "Unix time when the last checkpoint was complete.",
        "tillflow_publish_latency_seconds": "Time from publishing an output row to its acknowledgement by JetStream.",
        "tillflow_nats_connected": "1 while connected to a NATS server, else 0.",
        "tillflow_partitions_owned": "Parts of submitted jobs (partitions and global rollups) running on this worker.",
        "tillflow_leases_taken_total": "Parts this worker took through their lease.",
        "tillflow_leases_lost_total": "Parts stopped without being handed back (lease found taken or about to lapse, or a stop during an outage).",
        "tillflow_partition_failures_total": "Parts ended by an error; their lease is handed back and they restart from the last checkpoint.",
        "tillflow_partition_locations": "Locations with a clock of their own in the partition.",
    ]
}
