import EmailStub
import FileSink
import Gateway
import LettersPDF
import SMTPMail
import VentisSMS

/// THE channel table: every kind this program can build, one line each.
/// Adding a channel: a folder under `channels/`, a target in `Package.swift`, a line here.
public enum BuiltinChannels {
    public static let table = ChannelTable([
        VentisSMS.kind,
        EmailStub.kind,
        FileSink.kind,
        SMTP.kind,
        LettersPDF.kind,
    ])
}
