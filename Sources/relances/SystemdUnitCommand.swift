import Foundation

enum SystemdUnitCommand: Command {
    static let name = "systemd-unit"
    static let summary = "Print a systemd unit to run serve as a service"
    static let help = """
        usage: relances systemd-unit [--user relances] [--directory /var/lib/relances] [--program /usr/local/bin/relances] [--port 8000]

        Prints a systemd service unit that runs `relances serve` from the directory
        (where channels/routing.json and .env are read, and the database lives), as
        an unprivileged user, restarted on failure, stopped with SIGTERM (sends in
        flight finish). Install it with:

          relances systemd-unit > /etc/systemd/system/relances.service
          systemctl daemon-reload && systemctl enable --now relances
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let user = try arguments.option("user") ?? "relances"
        let directory = try arguments.option("directory") ?? "/var/lib/relances"
        let program = try arguments.option("program") ?? "/usr/local/bin/relances"
        let port = try arguments.int("port", default: 8000, in: 1...65_535)
        try arguments.finish()
        for (option, value) in [("--directory", directory), ("--program", program)] where !value.hasPrefix("/") || value.contains(" ") {
            throw UsageError("\(option) doit être un chemin absolu sans espace, pas '\(value)'")
        }
        guard !user.isEmpty, user.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw UsageError("--user doit être un nom d'utilisateur (lettres, chiffres, - et _), pas '\(user)'")
        }
        print(unit(user: user, directory: directory, program: program, port: port), terminator: "")
        return 0
    }

    static func unit(user: String, directory: String, program: String, port: Int) -> String {
        """
        [Unit]
        Description=relances: reminders of the municipal tax office (SMS, e-mail, letters)
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=simple
        User=\(user)
        Group=\(user)
        WorkingDirectory=\(directory)
        EnvironmentFile=-\(directory)/.env
        ExecStart=\(program) serve --db \(directory)/relances.sqlite --config \(directory)/channels/routing.json --host 127.0.0.1 --port \(port)
        KillSignal=SIGTERM
        TimeoutStopSec=90
        Restart=on-failure
        RestartSec=5
        LimitNOFILE=4096
        UMask=0077
        NoNewPrivileges=true
        PrivateTmp=true
        ProtectSystem=strict
        ProtectHome=true
        ReadWritePaths=\(directory)

        [Install]
        WantedBy=multi-user.target

        """
    }
}
