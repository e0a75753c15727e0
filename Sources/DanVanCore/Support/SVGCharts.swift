import DanVanText
import Foundation

/// Server-rendered SVG charts (no script; the figures are printed on the chart, so it reads
/// without colour).
public enum SVGCharts {
    /// A line of shares (0…1) over periods, e.g. the on-time rate per period.
    public static func rateLine(_ points: [(label: String, value: Double?)], title: String) -> String {
        line(points, title: title, maximum: 1, format: { VNFormat.percent($0) })
    }

    /// A line of values over periods (an indicator's trend), scaled to its largest value.
    public static func line(_ points: [(label: String, value: Double?)], title: String, maximum: Double? = nil, format: (Double) -> String) -> String {
        guard !points.isEmpty else { return "" }
        let width = 720.0, height = 220.0, left = 40.0, right = 20.0, top = 20.0, bottom = 46.0
        let top_ = maximum ?? max(1, points.compactMap(\.value).max() ?? 1)
        let step = points.count > 1 ? (width - left - right) / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { points.count > 1 ? left + Double(index) * step : (width - left - right) / 2 + left }
        func y(_ value: Double) -> Double { top + (1 - value / top_) * (height - top - bottom) }
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="\##(XLSX.escape(title))" class="chart">"##
        svg += ##"<line x1="\##(left)" y1="\##(y(0))" x2="\##(width - right)" y2="\##(y(0))" stroke="#bdb6b0"/><line x1="\##(left)" y1="\##(y(top_))" x2="\##(width - right)" y2="\##(y(top_))" stroke="#e4dfda" stroke-dasharray="4 3"/>"##
        var path = ""
        for (index, point) in points.enumerated() {
            guard let value = point.value else { continue }
            path += (path.isEmpty ? "M" : " L") + String(format: "%.1f %.1f", x(index), y(value))
        }
        if !path.isEmpty { svg += ##"<path d="\##(path)" fill="none" stroke="#3f6fb5" stroke-width="2"/>"## }
        for (index, point) in points.enumerated() {
            let label = XLSX.escape(String(point.label.prefix(16)))
            svg += ##"<text x="\##(String(format: "%.1f", x(index)))" y="\##(height - 26)" font-size="11" text-anchor="middle" fill="#5f5a57">\##(label)</text>"##
            guard let value = point.value else { continue }
            svg += ##"<circle cx="\##(String(format: "%.1f", x(index)))" cy="\##(String(format: "%.1f", y(value)))" r="3.5" fill="#3f6fb5"/>"##
            svg += ##"<text x="\##(String(format: "%.1f", x(index)))" y="\##(String(format: "%.1f", y(value) - 8))" font-size="11" text-anchor="middle" fill="#1d1b1a">\##(XLSX.escape(format(value)))</text>"##
        }
        return svg + "</svg>"
    }

    /// Horizontal bars of one indicator by unit (the parts of a consolidation), largest first,
    /// at most `limit` bars; each value printed at the end of its bar.
    public static func bars(_ points: [(label: String, value: Double)], title: String, limit: Int = 25, format: (Double) -> String) -> String {
        let shown = Array(points.sorted { $0.value > $1.value }.prefix(limit))
        guard !shown.isEmpty else { return "" }
        let width = 720.0, labelWidth = 230.0, barHeight = 16.0, gap = 6.0
        let top = max(shown.map(\.value).max() ?? 1, 1e-9)
        let height = Double(shown.count) * (barHeight + gap) + 8
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="\##(XLSX.escape(title))" class="chart">"##
        for (index, point) in shown.enumerated() {
            let y = Double(index) * (barHeight + gap)
            let length = max(0, point.value) / top * (width - labelWidth - 90)
            svg += ##"<text x="0" y="\##(y + 12)" font-size="12" fill="#1d1b1a">\##(XLSX.escape(String(point.label.prefix(34))))</text>"##
            svg += ##"<rect x="\##(labelWidth)" y="\##(y)" width="\##(String(format: "%.1f", length))" height="\##(barHeight)" fill="#3f6fb5"/>"##
            svg += ##"<text x="\##(String(format: "%.1f", labelWidth + length + 6))" y="\##(y + 12)" font-size="12" fill="#5f5a57">\##(XLSX.escape(format(point.value)))</text>"##
        }
        return svg + "</svg>"
    }

    /// Several shares (0…1) over the same periods, one coloured line each, with a dashed target line.
    public static func lines(_ series: [(name: String, points: [(label: String, value: Double?)])], target: Double, title: String) -> String {
        guard let first = series.first, !first.points.isEmpty else { return "" }
        let width = 720.0, height = 240.0, left = 40.0, right = 20.0, top = 20.0, bottom = 56.0
        let count = first.points.count
        let step = count > 1 ? (width - left - right) / Double(count - 1) : 0
        func x(_ index: Int) -> Double { count > 1 ? left + Double(index) * step : (width - left - right) / 2 + left }
        func y(_ value: Double) -> Double { top + (1 - value) * (height - top - bottom) }
        let colours = ["#3f6fb5", "#b5603f", "#6a4fa3"]
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="\##(XLSX.escape(title))" class="chart">"##
        svg += ##"<line x1="\##(left)" y1="\##(y(0))" x2="\##(width - right)" y2="\##(y(0))" stroke="#bdb6b0"/>"##
        svg += ##"<line x1="\##(left)" y1="\##(String(format: "%.1f", y(target)))" x2="\##(width - right)" y2="\##(String(format: "%.1f", y(target)))" stroke="#2e7d32" stroke-dasharray="5 4"/>"##
        svg += ##"<text x="\##(width - right)" y="\##(String(format: "%.1f", y(target) - 4))" font-size="11" text-anchor="end" fill="#2e7d32">\##(XLSX.escape(VNFormat.percent(target)))</text>"##
        for (index, point) in first.points.enumerated() {
            svg += ##"<text x="\##(String(format: "%.1f", x(index)))" y="\##(height - 36)" font-size="11" text-anchor="middle" fill="#5f5a57">\##(XLSX.escape(point.label))</text>"##
        }
        for (number, line) in series.enumerated() {
            let colour = colours[number % colours.count]
            var path = ""
            for (index, point) in line.points.enumerated() {
                guard let value = point.value else { continue }
                path += (path.isEmpty ? "M" : " L") + String(format: "%.1f %.1f", x(index), y(value))
                svg += ##"<circle cx="\##(String(format: "%.1f", x(index)))" cy="\##(String(format: "%.1f", y(value)))" r="3.5" fill="\##(colour)"/>"##
                svg += ##"<text x="\##(String(format: "%.1f", x(index)))" y="\##(String(format: "%.1f", y(value) - 8 + Double(number) * 22))" font-size="10" text-anchor="middle" fill="\##(colour)">\##(XLSX.escape(VNFormat.percent(value)))</text>"##
            }
            if !path.isEmpty { svg += ##"<path d="\##(path)" fill="none" stroke="\##(colour)" stroke-width="2"/>"## }
            svg += ##"<rect x="\##(left + Double(number) * 260)" y="\##(height - 16)" width="12" height="12" fill="\##(colour)"/><text x="\##(left + 18 + Double(number) * 260)" y="\##(height - 6)" font-size="12" fill="#1d1b1a">\##(XLSX.escape(line.name))</text>"##
        }
        return svg + "</svg>"
    }
}
