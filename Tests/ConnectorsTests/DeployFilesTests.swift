import Foundation
import Testing
import Yams

/// The deployable units, checked as far as this machine can: the systemd units by
/// `systemd-analyze verify`, the Kubernetes manifests as YAML with the fields Kubernetes
/// requires, their probes on the endpoints the binary serves, their flags the binary's
/// own, and every setting the NATS configurations read from the environment given.
@Suite struct DeployFilesTests {
    let root = LiveFixture.root

    @Test func theSystemdUnitsVerifyAndAreHardened() throws {
        let directory = NSTemporaryDirectory() + "tillflow-units-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var units: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root + "/deploy/systemd") where name.hasSuffix(".service") {
            let text = try String(contentsOfFile: root + "/deploy/systemd/" + name, encoding: .utf8)
            for setting in ["User=tillflow", "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                            "PrivateTmp=yes", "CapabilityBoundingSet="] {
                #expect(text.contains("\n" + setting + "\n"), "\(name): \(setting)")
            }
            // The binaries where this build has them: verify checks that they run.
            let local = text.replacingOccurrences(of: "/usr/local/bin/tillflow", with: tillflowBinary)
                .replacingOccurrences(of: "/usr/local/bin/nats-server", with: root + "/.venv/bin/nats-server")
            try local.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            units.append(directory + "/" + name)
        }
        #expect(units.count == 2)
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        verify.arguments = ["verify"] + units
        let output = Pipe()
        (verify.standardOutput, verify.standardError) = (output, output)
        try verify.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0 && said.isEmpty, "systemd-analyze verify: \(said)")
    }

    func documents(_ file: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: root + "/deploy/kubernetes/" + file, encoding: .utf8)
        return try Yams.load_all(yaml: text).map { try #require($0 as? [String: Any], "\(file): a mapping") }
    }

    @Test func theKubernetesManifestsHaveWhatKubernetesRequires() throws {
        let help = finishedNow(try launch(["worker", "--help"])).stdout
        var kinds: [String: [String: Any]] = [:]
        for file in ["nats-hub.yaml", "workers.yaml"] {
            for document in try documents(file) {
                let kind = try #require(document["kind"] as? String)
                let metadata = try #require(document["metadata"] as? [String: Any])
                let name = try #require(metadata["name"] as? String, "\(file) \(kind)")
                #expect(document["apiVersion"] is String, "\(file) \(kind) \(name)")
                kinds["\(kind)/\(name)"] = document
                guard kind == "Deployment" || kind == "StatefulSet" else { continue }
                let spec = try #require(document["spec"] as? [String: Any])
                let selector = try #require((spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String])
                let template = try #require(spec["template"] as? [String: Any])
                let labels = try #require((template["metadata"] as? [String: Any])?["labels"] as? [String: String])
                #expect(selector.allSatisfy { labels[$0.key] == $0.value }, "\(name): the selector matches the pods")
                let containers = try #require((template["spec"] as? [String: Any])?["containers"] as? [[String: Any]])
                for container in containers {
                    #expect(container["name"] is String && container["image"] is String)
                    #expect(container["livenessProbe"] != nil && container["readinessProbe"] != nil, "\(name): probes")
                }
            }
        }
        // The workers: probes on what `worker --metrics` serves, and only flags it has.
        let workers = try #require(kinds["Deployment/tillflow-worker"])
        let pod = try #require(((workers["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let worker = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(((worker["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String == "/health")
        #expect(((worker["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String == "/ready")
        let args = try #require(worker["args"] as? [String])
        #expect(args.first == "worker")
        for flag in args.dropFirst().map({ String($0.prefix { $0 != "=" }) }) {
            #expect(help.contains(flag + " "), "tillflow worker has \(flag)")
        }
        #expect(kinds["PodDisruptionBudget/tillflow-worker"] != nil && kinds["PodDisruptionBudget/tillflow-hub"] != nil)
        let hub = try #require(kinds["StatefulSet/tillflow-hub"])
        #expect((hub["spec"] as? [String: Any])?["replicas"] as? Int == 3)

        // Every $TILLFLOW_… the hub's configurations read is set for the NATS servers.
        let hubPod = try #require(((hub["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let env = try #require((hubPod["containers"] as? [[String: Any]])?.first?["env"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        for conf in ["hub-cluster.conf", "hub-role-users.conf"] {
            let text = try String(contentsOfFile: root + "/deploy/nats/" + conf, encoding: .utf8)
                .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
            let used = try NSRegularExpression(pattern: #"\$(TILLFLOW_[A-Z0-9_]+)"#)
                .matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
            #expect(!used.isEmpty)
            for variable in used { #expect(env.contains(variable), "\(conf) reads \(variable)") }
        }
    }
}
