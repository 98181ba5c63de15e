import Relances
import Testing

/// How a search compares names and numbers (`recherche`, the taxpayer search).
@Suite struct SearchKeyTests {
    @Test func namesLoseAccentsCaseApostrophesAndHyphens() {
        for typed in ["Nzé", "nze", "NZÉ", "  Nze "] { #expect(SearchKey.name(typed) == "nze", "\(typed)") }
        #expect(SearchKey.name("NZÉ-ONDO  Éléonore") == "nze ondo eleonore")
        #expect(SearchKey.name("N’DONG") == "ndong" && SearchKey.name("N'Dong") == "ndong")
        #expect(SearchKey.name("Bœuf Ç") == "boeuf c")
    }

    @Test func numbersAreTheirDigitsWithoutPrefixes() {
        for typed in ["06 61 23 45 67", "0661234567", "+241 06 61 23 45 67", "00241 661 23 45 67", "+241661234567", "241-06.61.23.45.67"] {
            #expect(SearchKey.phone(typed) == "661234567", "\(typed)")
        }
        #expect(SearchKey.phone("0771") == "771")
        #expect(SearchKey.phone("06") == nil && SearchKey.phone("Nzé") == nil)
    }
}
