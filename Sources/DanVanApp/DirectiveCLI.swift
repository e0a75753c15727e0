import DanVanText
import Foundation

/// `danvan parse FILE… [--json]` and `danvan bench-parse [FILE…] [--mb N]`: the directive
/// reader on the command line. They need no database, so `main` runs them before the app is
/// built.
public enum DirectiveCLI {
    /// Whether `command` is one of these.
    public static func handles(_ command: String?) -> Bool {
        command == "parse" || command == "bench-parse"
    }

    /// Runs the command; returns the exit code.
    public static func run(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else { return 2 }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(command == "parse"
                ? "Cách dùng: danvan parse TỆP… [--json]\n  Đọc văn bản chỉ đạo (.txt UTF-8 hoặc .docx): thông tin văn bản, văn bản được dẫn, nhiệm vụ được giao."
                : "Cách dùng: danvan bench-parse [TỆP…] [--mb 10]\n  Đo tốc độ đọc (MB/giây) trên các tệp mẫu lặp lại đến ít nhất N MB.")
            return 0
        }
        return command == "parse" ? parse(rest) : bench(rest)
    }

    static func parse(_ arguments: [String]) -> Int32 {
        let json = arguments.contains("--json")
        let files = arguments.filter { !$0.hasPrefix("--") }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data("Lỗi: cần ít nhất một tệp. Cách dùng: danvan parse TỆP… [--json]\n".utf8))
            return 2
        }
        let parser = DirectiveParser()
        var results: [DirectiveParse] = []
        var failed = false
        for path in files {
            do {
                let text = try read(path)
                results.append(parser.parse(text, file: (path as NSString).lastPathComponent))
            } catch {
                FileHandle.standardError.write(Data("Lỗi: \(path): \(error)\n".utf8))
                failed = true
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data: Data? = results.count == 1 && files.count == 1 ? try? encoder.encode(results[0]) : try? encoder.encode(results)
            if let data { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print(results.map(\.summary).joined(separator: "\n\n"))
        }
        return failed ? 1 : 0
    }

    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DocumentInput.Failure("không tìm thấy tệp.")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > DocumentInput.maximumBytes {
            throw DocumentInput.Failure("Tệp quá lớn (\(size / 1_048_576) MB): tối đa \(DocumentInput.maximumBytes / 1_048_576) MB.")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw DocumentInput.Failure("không đọc được tệp.") }
        return try DocumentInput.text(from: data, filename: path)
    }

    static func bench(_ arguments: [String]) -> Int32 {
        var megabytes = 10.0
        var files: [String] = []
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--mb", index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
                megabytes = value
                index += 2
                continue
            }
            files.append(arguments[index])
            index += 1
        }
        if files.isEmpty {
            let folder = "../shared/fixtures/directives"
            files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".txt") }.sorted().map { folder + "/" + $0 }
        }
        var texts: [String] = []
        for path in files {
            do { texts.append(try read(path)) } catch {
                FileHandle.standardError.write(Data("Lỗi: \(path): \(error)\n".utf8))
                return 1
            }
        }
        guard !texts.isEmpty else {
            FileHandle.standardError.write(Data("Lỗi: không có tệp mẫu nào.\n".utf8))
            return 2
        }
        let parser = DirectiveParser()
        let target = Int(megabytes * 1_048_576)
        var bytes = 0
        var documents = 0
        var assignments = 0
        // Warm-up: one pass so first-use costs are not counted.
        for text in texts { _ = parser.parse(text) }
        let start = DispatchTime.now().uptimeNanoseconds
        while bytes < target {
            for text in texts {
                assignments += parser.parse(text).assignments.count
                bytes += text.utf8.count
                documents += 1
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let rate = Double(bytes) / 1_048_576 / seconds
        // Baseline in the same run: one linear pass over the same bytes (search folding).
        var baselineBytes = 0
        var checksum = 0
        let baselineStart = DispatchTime.now().uptimeNanoseconds
        while baselineBytes < target {
            for text in texts {
                checksum &+= VietnameseText.fold(text).utf8.count
                baselineBytes += text.utf8.count
            }
        }
        let baselineSeconds = Double(DispatchTime.now().uptimeNanoseconds - baselineStart) / 1e9
        let baselineRate = Double(baselineBytes) / 1_048_576 / baselineSeconds
        print(String(format: "bench-parse: %d tệp mẫu, %d văn bản, %.1f MB trong %.2f s = %.1f MB/s (một lõi), %.0f văn bản/s, %d nhiệm vụ",
                     texts.count, documents, Double(bytes) / 1_048_576, seconds, rate, Double(documents) / seconds, assignments))
        print(String(format: "baseline (gấp chữ một lượt trên cùng dữ liệu): %.1f MB/s; đọc văn bản = %.0f%% tốc độ baseline (kiểm tra %d)",
                     baselineRate, 100 * rate / baselineRate, checksum % 10))
        return 0
    }
}
