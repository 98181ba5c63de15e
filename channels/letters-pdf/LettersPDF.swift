import Gateway

/// The `letters-pdf` kind: letters the office prints and posts, one PDF per run.
public enum LettersPDF {
    public static let kind = ChannelKind(
        kind: "letters-pdf",
        summary: "lays each letter out on an A4 page of one PDF per run, in a folder, ready to print",
        accepts: .postal,
        settings: [
            SettingSpec("directory", default: "var/courriers", help: "where the PDFs go (GET /api/courriers/{file} serves them)"),
            SettingSpec("office_name", default: "Mairie de Libreville", help: "the letterhead's first line"),
            SettingSpec("office_address", default: "Service des taxes municipales\nBP 44, Libreville, Gabon",
                        help: "the letterhead's address, lines separated by \\n"),
            SettingSpec("office_phone", default: "", help: "the office's telephone, printed under its address"),
            SettingSpec("logo", default: "", help: "a JPEG printed at the top right; empty: none"),
            SettingSpec("place", default: "Libreville", help: "the place before the date (« Libreville, le 25 novembre 2026 »)"),
            SettingSpec("signature", default: "Le Receveur municipal\nService des taxes",
                        help: "the signature block, lines separated by \\n"),
            SettingSpec("run_idle_seconds", .number, default: "2",
                        help: "a run's PDF is written this long after its last letter (and at shutdown)"),
        ],
        make: { settings, context throws(ConfigError) in try LettersPDFChannel(settings: settings, context: context) }
    )
}
