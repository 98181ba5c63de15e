import Testing
@testable import VentisSMS

/// The Gabon rule of `spec/ventis-protocol.md`, and the refusals before any sending.
@Suite struct PhoneNumberTests {
    let format = PhoneNumberFormat()

    @Test(arguments: [
        // The spec's four examples.
        ("0661234567", "2410661234567"), ("+2410661234567", "2410661234567"), ("2410661234567", "2410661234567"),
        ("06 61 23 45 67", "2410661234567"),
        // What people also type.
        ("+241 06 61 23 45 67", "2410661234567"), ("06-61-23-45-67", "2410661234567"), ("06.61.23.45.67", "2410661234567"),
        ("(06) 61 23 45 67", "2410661234567"), ("00241 0661234567", "2410661234567"), (" 0661234567\n", "2410661234567"),
        ("06\u{00A0}61\u{00A0}23\u{00A0}45\u{00A0}67", "2410661234567"),
        // Older 8-digit numbers: 241 in front, leading 0 kept.
        ("01 76 12 34", "24101761234"), ("077 12 34 56", "241077123456"),
    ])
    func numbersAreFormattedAsTheOfficeDoes(_ raw: String, _ expected: String) {
        #expect(format.format(raw) == .success(expected))
    }

    @Test func refusalsSayWhyInFrench() {
        #expect(format.format("06 61 2A 45 67") == .failure(.letters("06 61 2A 45 67")))
        #expect(format.format("1234") == .failure(.tooShort("1234", 4)))
        #expect(format.format("0661234") == .failure(.tooShort("0661234", 7)))
        #expect(format.format("0661234567890123") == .failure(.tooLong("0661234567890123", 19)))
        #expect(format.format("  ") == .failure(.empty))
        #expect(format.format("06#61") == .failure(.character("06#61", "#")))
        #expect(format.format("06+61234567") == .failure(.character("06+61234567", "+")))
        #expect(format.format("٠٦٦١٢٣٤٥٦٧") == .failure(.character("٠٦٦١٢٣٤٥٦٧", "٠")))   // non-ASCII digits
        #expect(PhoneNumberError.letters("x").description == "le numéro « x » contient des lettres")
        #expect(PhoneNumberError.tooLong("x", 16).description.contains("15"))
    }

    @Test func fifteenDigitsIsTheLimit() {
        #expect(format.format("241012345678901") == .success("241012345678901"))
        #expect(format.format("2410123456789012") == .failure(.tooLong("2410123456789012", 16)))
    }

    @Test func countryCodeAndTrunkZeroAreSettings() {
        #expect(PhoneNumberFormat(keepTrunkZero: false).format("0661234567") == .success("241661234567"))
        #expect(PhoneNumberFormat(keepTrunkZero: false).format("2410661234567") == .success("2410661234567"))   // 241… kept as is
        #expect(PhoneNumberFormat(countryCode: "33", keepTrunkZero: false).format("06 12 34 56 78") == .success("33612345678"))
    }
}

/// The messaging API's plain-text answers.
@Suite struct VentisReplyTests {
    @Test func successAndRefusal() {
        #expect(VentisReply("+SUCCESS|5f0c-77|2026-11-24T10:00:00Z\n") == .success(uuid: "5f0c-77", timestamp: "2026-11-24T10:00:00Z"))
        #expect(VentisReply("+SUCCESS|5f0c-77") == .success(uuid: "5f0c-77", timestamp: ""))
        #expect(VentisReply("-ERROR|21|Numéro invalide | vérifiez") == .error(code: "21", message: "Numéro invalide | vérifiez"))
        #expect(VentisReply("-ERROR|CREDIT") == .error(code: "CREDIT", message: ""))
    }

    @Test func anythingElseIsUnexpected() {
        for body in ["OK", "", "+SUCCESS", "+SUCCESS||x", "+SUCCESS|a b|x", "+success|u|t", "SUCCESS|u|t", "{\"status\":\"ok\"}",
                     "<html>+SUCCESS|u|t</html>"] {
            #expect(VentisReply(body) == .unexpected, "\(body)")
        }
    }
}
