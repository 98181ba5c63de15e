import Gateway
import Testing
@testable import VentisSMS

/// Gabon's numbering plan (`channels/ventis-sms/README.md`, phone numbers), and the
/// refusals before any sending.
@Suite struct PhoneNumberTests {
    let format = PhoneNumberFormat()

    @Test(arguments: [
        // The spec's examples.
        ("077 12 34 56", "24177123456"), ("+241 77 12 34 56", "24177123456"), ("24177123456", "24177123456"),
        ("00241 66 12 34 56", "24166123456"),
        // An older 8-digit number whose 0 belongs to it.
        ("06 03 12 34", "24106031234"),
        // What people also type.
        ("066123456", "24166123456"), ("+241 066 12 34 56", "24166123456"), ("241066123456", "24166123456"),
        ("011-44-12-34", "24111441234"), ("07.41.23.45.6", "24174123456"), ("(077) 12 34 56", "24177123456"),
        (" 077123456\n", "24177123456"), ("077\u{00A0}12\u{00A0}34\u{00A0}56", "24177123456"), ("00241077123456", "24177123456"),
        ("77 12 34 56", "24177123456"),
    ])
    func numbersFollowTheNumberingPlan(_ raw: String, _ expected: String) {
        #expect(format.format(raw) == .success(expected))
    }

    /// The seed's examples and other numbers the network would not route: refused,
    /// saying what is wrong and what a right one looks like.
    @Test func numbersTheNetworkWouldNotRouteAreRefused() {
        #expect(format.format("06 61 23 45 67") == .failure(.wrongLength("06 61 23 45 67", digits: 10, afterCountryCode: false)))
        #expect(format.format("0661234567") == .failure(.wrongLength("0661234567", digits: 10, afterCountryCode: false)))
        #expect(format.format("+2410661234567") == .failure(.wrongLength("+2410661234567", digits: 10, afterCountryCode: true)))
        #expect(format.format("2410661234567") == .failure(.wrongLength("2410661234567", digits: 10, afterCountryCode: true)))
        #expect(format.format("07 12 34 5") == .failure(.wrongLength("07 12 34 5", digits: 7, afterCountryCode: false)))
        #expect(format.format("+33 6 12 34 56 78") == .failure(.otherCountry("+33 6 12 34 56 78", expected: "241")))
        #expect(format.format("0033612345678") == .failure(.otherCountry("0033612345678", expected: "241")))
        let note = format.explain(.wrongLength("06 61 23 45 67", digits: 10, afterCountryCode: false))
        #expect(note == "le numéro « 06 61 23 45 67 » a 10 chiffres ; un numéro correct a 9 chiffres commençant par 0, comme « 077 12 34 56 » (ou « +241 77 12 34 56 »)")
        #expect(format.explain(.empty) == "aucun numéro de téléphone")
    }

    @Test func refusalsSayWhyInFrench() {
        #expect(format.format("06 61 2A 45 67") == .failure(.letters("06 61 2A 45 67")))
        #expect(format.format("1234") == .failure(.wrongLength("1234", digits: 4, afterCountryCode: false)))
        #expect(format.format("  ") == .failure(.empty))
        #expect(format.format("06#61") == .failure(.character("06#61", "#")))
        #expect(format.format("06+61234567") == .failure(.character("06+61234567", "+")))
        #expect(format.format("٠٦٦١٢٣٤٥٦٧") == .failure(.character("٠٦٦١٢٣٤٥٦٧", "٠")))   // non-ASCII digits
        #expect(PhoneNumberError.letters("x").description == "le numéro « x » contient des lettres")
        #expect(PhoneNumberError.tooLong("x", 16).description.contains("15"))
        #expect(format.explain(.letters("x")).contains("« 077 12 34 56 »"))
    }

    /// `keep_trunk_zero`: the integration note's form, for an account that wants it.
    @Test func keepingTheTrunkZeroIsTheNotesForm() {
        let kept = PhoneNumberFormat(keepTrunkZero: true)
        for (raw, expected) in [("0661234567", "2410661234567"), ("+2410661234567", "2410661234567"), ("2410661234567", "2410661234567"),
                                ("06 61 23 45 67", "2410661234567"), ("00241 0661234567", "2410661234567"), ("077 12 34 56", "241077123456"),
                                ("01 76 12 34", "24101761234")] {
            #expect(kept.format(raw) == .success(expected), "\(raw)")
        }
        #expect(kept.format("0661234") == .failure(.tooShort("0661234", 7)))
        #expect(kept.format("241012345678901") == .success("241012345678901"))
        #expect(kept.format("2410123456789012") == .failure(.tooLong("2410123456789012", 16)))
    }

    @Test func countryCodeAndLengthAreSettings() {
        #expect(PhoneNumberFormat(countryCode: "33", nationalDigits: 9).format("06 12 34 56 78") == .success("33612345678"))
        #expect(PhoneNumberFormat(countryCode: "33", nationalDigits: 9).format("+33 6 12 34 56 78") == .success("33612345678"))
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
