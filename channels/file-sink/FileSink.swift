import Gateway

/// The `file-sink` kind: one JSON line per message. Letters to print go here, and so
/// does every dry run.
public enum FileSink {
    public static let kind = ChannelKind(
        kind: "file-sink",
        summary: "appends one JSON line per message to a file (letters to print, dry runs)",
        accepts: .any,
        settings: [
            SettingSpec("path", required: true, help: "the file to append to, e.g. var/courrier.jsonl"),
            SettingSpec("fsync", default: "always",
                        help: "when lines reach the disk: always (each line, before the receipt), interval, never"),
            SettingSpec("fsync_interval_ms", .integer, default: "1000",
                        help: "with fsync=interval, the longest a written line may wait for the disk"),
        ],
        make: { settings, context throws(ConfigError) in try FileSinkChannel(settings: settings, context: context) }
    )
}
