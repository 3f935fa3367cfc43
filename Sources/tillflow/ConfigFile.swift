import ArgumentParser
import Foundation
import Yams

/// `--config FILE` (cli.md): every option of `run`, `worker` and `submit` can come from a
/// YAML mapping of the option names without `--` to their values; an option given on
/// the command line wins. The file's options are put in after the command line's own,
/// so that the one parser checks them all alike (an unknown name is an unknown option).
///
/// Values: a string or number is the option's value (`checkpoint-interval: 10s`,
/// `parallelism: 2`); `true` gives a flag, `false` leaves it out; a list is joined
/// with commas (`nats: [nats://a:4222, nats://b:4222]`).
enum ConfigFile {
    /// The commands whose options a config file may hold.
    static let commands: Set<String> = ["run", "worker", "submit"]

    static func expand(_ arguments: [String]) throws -> [String] {
        guard let command = arguments.first, commands.contains(command), let path = path(in: arguments) else { return arguments }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("--config \(path): cannot read the file")
        }
        let options: [(name: String, value: String?)]
        do {
            options = try Self.options(fromYAML: text)
        } catch let error as ValidationError {
            throw ValidationError("--config \(path): \(error.message)")
        } catch {
            throw ValidationError("--config \(path): not YAML (\(error))")
        }
        var expanded = arguments
        for (name, value) in options where !given(name, in: arguments) {
            expanded.append("--" + name)
            if let value { expanded.append(value) }
        }
        return expanded
    }

    /// The file named by `--config FILE` or `--config=FILE`, if any.
    static func path(in arguments: [String]) -> String? {
        for (i, argument) in arguments.enumerated() {
            if argument == "--" { return nil }
            if argument == "--config" { return i + 1 < arguments.count ? arguments[i + 1] : nil }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        return nil
    }

    static func given(_ name: String, in arguments: [String]) -> Bool {
        arguments.contains { $0 == "--" + name || $0.hasPrefix("--" + name + "=") }
    }

    /// The options a YAML mapping holds, in the file's order: a name and its value, or
    /// no value for a flag.
    static func options(fromYAML text: String) throws -> [(name: String, value: String?)] {
        guard let node = try Yams.compose(yaml: text) else { return [] }
        guard case let .mapping(mapping) = node else { throw ValidationError("the file must be a mapping of option names to values") }
        var options: [(String, String?)] = []
        for (key, value) in mapping {
            guard let name = key.string, !name.isEmpty, !name.hasPrefix("-"), name != "config" else {
                throw ValidationError("'\(key.any)' is not an option name (write names without --)")
            }
            switch value {
            case let .scalar(scalar):
                if let flag = value.bool, scalar.style == .plain {
                    if flag { options.append((name, nil)) }
                } else {
                    options.append((name, scalar.string))
                }
            case let .sequence(items):
                let values = try items.map { item -> String in
                    guard let s = item.scalar?.string else { throw ValidationError("\(name): a list of plain values, not of lists or mappings") }
                    return s
                }
                options.append((name, values.joined(separator: ",")))
            default:
                throw ValidationError("\(name): a value, a list or true/false, not a mapping")
            }
        }
        return options
    }
}
