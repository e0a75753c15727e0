import DanVanJSON
import DanVanText
import Foundation

/// One entry point for libFuzzer; the first byte chooses the parser, the rest is its input.
/// A parser may refuse its input (a thrown failure is an answer); it must never crash, hang
/// or read out of bounds (AddressSanitizer).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let choice = start[0] % 8
    let data = Data(bytes: start + 1, count: count - 1)
    let text = String(decoding: data, as: UTF8.self)
    switch choice {
    case 0:
        _ = DirectiveParser().parse(text)
    case 1:
        _ = try? DocumentInput.text(from: data, filename: "input.docx")
    case 2:
        _ = try? CSV.parse(text)
    case 3:
        _ = try? XLSX.read(data)
    case 4:
        _ = DirectiveParser().parse(PDFLayout.clean(text))
    case 5:
        _ = Docx.text(fromDocumentXML: text)
    case 7:
        // The request body reader (quiz submissions): refuse or read; what it reads, written
        // back with JSONEncoder, reads back the same.
        if let value = try? JSON.parse(data) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            if let encoded = try? encoder.encode(value) {
                precondition((try? JSON.parse(encoded)) == value, "round trip changed the value")
            }
        }
    default:
        _ = Symbols.parse(text)
        _ = VietnameseDates.parse(text)
    }
    return 0
}

/// libFuzzer's driver, for a main of our own: SwiftPM links an executable's entry point as
/// `<module>_main`.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("DanVanFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
