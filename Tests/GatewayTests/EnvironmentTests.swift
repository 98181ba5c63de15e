import Foundation
import Gateway
import Testing

@Suite struct EnvironmentTests {
    @Test func interpolationExpandsVariablesDefaultsAndDollars() {
        let env = Environment(["A": "alpha", "EMPTY": ""])
        #expect(Interpolation.expand("x-${A}-y", in: env) == .success("x-alpha-y"))
        #expect(Interpolation.expand("${B:-beta}", in: env) == .success("beta"))
        #expect(Interpolation.expand("${EMPTY:-fallback}", in: env) == .success("fallback"))
        #expect(Interpolation.expand("${EMPTY}", in: env) == .success(""))
        #expect(Interpolation.expand("$$5 and $x", in: env) == .success("$5 and $x"))
        #expect(Interpolation.expand("${B}", in: env) == .failure(.unset("B")))
        #expect(Interpolation.expand("${A", in: env) == .failure(.malformed("'${' without a closing '}'")))
        #expect(Interpolation.expand("${1A}", in: env) == .failure(.malformed("'${1A}' does not name a variable")))
    }

    @Test func dotEnvReadsTheOfficesFormat() throws {
        let values = try DotEnv.parse("""
            # Ventis
            KEYCLOAK_MESSAGING_USERNAME=relances
            export KEYCLOAK_MESSAGING_PASSWORD="p@ss \\"quoted\\""
            VENTIS_MESSAGING_SENDER='MAIRIE LBV'
            KEYCLOAK_VERIFY_SSL=false # the old default

            EMPTY=
            """, file: ".env")
        #expect(values == ["KEYCLOAK_MESSAGING_USERNAME": "relances", "KEYCLOAK_MESSAGING_PASSWORD": "p@ss \"quoted\"",
                           "VENTIS_MESSAGING_SENDER": "MAIRIE LBV", "KEYCLOAK_VERIFY_SSL": "false", "EMPTY": ""])
    }

    @Test func dotEnvReportsBadLinesWithTheirNumbers() {
        #expect(throws: ConfigError.self) { try DotEnv.parse("A=1\nnot a line\n9X=2\nB=\"open", file: ".env") }
        do {
            _ = try DotEnv.parse("A=1\nnot a line\n9X=2\nB=\"open", file: ".env")
        } catch {
            #expect(error.problems.map(\.description) == [
                ".env: line 2: expected NAME=value",
                ".env: line 3: '9X' is not a variable name (letters, digits and _, not starting with a digit)",
                ".env: line 4: the double quote opened for B is not closed",
            ])
        }
    }

    @Test func theProcessEnvironmentWinsOverDotEnv() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".env").path
        try "A=from-file\nB=file-only\n".write(toFile: file, atomically: true, encoding: .utf8)
        let env = try Environment.load(dotEnvPath: file, process: ["A": "from-process"])
        #expect(env["A"] == "from-process")
        #expect(env["B"] == "file-only")
        let none = try Environment.load(dotEnvPath: dir.appendingPathComponent("missing").path, process: ["C": "c"])
        #expect(none.values == ["C": "c"])
    }
}
