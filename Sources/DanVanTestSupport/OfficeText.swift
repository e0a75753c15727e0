import DanVanText
import Foundation
import Testing

/// Runs a command-line tool (LibreOffice, pdftotext) and returns whether it exited with 0.
public func runTool(_ executable: String, _ arguments: [String]) throws -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// The text of a .docx or .xlsx as LibreOffice renders it to PDF, read back with pdftotext.
/// Both tools are part of the test set-up (`scripts/install-test-deps`); a missing one fails.
public func officeText(_ data: Data, extension ext: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-office-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = folder.appendingPathComponent("file.\(ext)")
    try data.write(to: input)
    // A profile of its own, so parallel tests and a user's LibreOffice do not collide.
    let profile = "-env:UserInstallation=file://\(folder.path)/profile"
    let converted = try runTool("libreoffice", [profile, "--headless", "--convert-to", "pdf", "--outdir", folder.path, input.path])
    #expect(converted, "libreoffice could not convert the .\(ext) (is libreoffice-writer-nogui installed?)")
    let pdf = folder.appendingPathComponent("file.pdf")
    let text = folder.appendingPathComponent("file.txt")
    #expect(try runTool("pdftotext", ["-layout", pdf.path, text.path]), "pdftotext failed (is poppler-utils installed?)")
    return VietnameseText.nfc((try? String(contentsOf: text, encoding: .utf8)) ?? "")
}
