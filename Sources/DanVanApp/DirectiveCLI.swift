import DanVanCore
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
                ? L10n.text("cli.cach_dung_danvan_parse_tep_json")
                : L10n.text("cli.cach_dung_danvan_bench_parse_tep"))
            return 0
        }
        return command == "parse" ? parse(rest) : bench(rest)
    }

    static func parse(_ arguments: [String]) -> Int32 {
        let json = arguments.contains("--json")
        let files = arguments.filter { !$0.hasPrefix("--") }
        guard !files.isEmpty else {
            FileHandle.standardError.write(Data(L10n.text("cli.loi_can_it_nhat_mot_tep").utf8))
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
                FileHandle.standardError.write(Data(L10n.format("cli.loi_n", ["\(path)", "\(error)"]).utf8))
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
            throw DocumentInput.Failure(L10n.text("cli.khong_tim_thay_tep"))
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > DocumentInput.maximumBytes {
            throw DocumentInput.Failure(L10n.format("cli.tep_qua_lon_mb_toi_da", ["\(size / 1_048_576)", "\(DocumentInput.maximumBytes / 1_048_576)"]))
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw DocumentInput.Failure(L10n.text("cli.khong_doc_duoc_tep")) }
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
                FileHandle.standardError.write(Data(L10n.format("cli.loi_n", ["\(path)", "\(error)"]).utf8))
                return 1
            }
        }
        guard !texts.isEmpty else {
            FileHandle.standardError.write(Data(L10n.text("cli.loi_khong_co_tep_mau_nao").utf8))
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
        print(String(format: L10n.text("cli.bench_parse_d_tep_mau_d"),
                     texts.count, documents, Double(bytes) / 1_048_576, seconds, rate, Double(documents) / seconds, assignments))
        print(String(format: L10n.text("cli.baseline_gap_chu_mot_luot_tren"),
                     baselineRate, 100 * rate / baselineRate, checksum % 10))
        // PDFs: the text extraction (pdftotext and the layout clean-up), timed apart from the
        // parse, five times each, the median.
        for path in files where path.lowercased().hasSuffix(".pdf") {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            var times: [Double] = []
            var layout: Double = 0
            var characters = 0
            for _ in 0..<5 {
                let begin = DispatchTime.now().uptimeNanoseconds
                guard let raw = try? PDFInput.layoutText(from: data) else { break }
                let extracted = DispatchTime.now().uptimeNanoseconds
                let text = PDFLayout.clean(raw)
                let end = DispatchTime.now().uptimeNanoseconds
                times.append(Double(end - begin) / 1e6)
                layout = Double(end - extracted) / 1e6
                characters = text.utf8.count
            }
            guard !times.isEmpty else { continue }
            let median = times.sorted()[times.count / 2]
            print(L10n.format("cli.bench_pdf", [
                URL(fileURLWithPath: path).lastPathComponent, "\(data.count / 1024)", String(format: "%.0f", median), String(format: "%.1f", layout), "\(characters / 1024)",
            ]))
        }
        return 0
    }
}
