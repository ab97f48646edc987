// swift-tools-version:5.9
// DigitsSVMKit: the phone's half of digits_svm: the drawing and its JSON format (Codable),
// rendering, both preprocessing methods and the "not a digit" rule in Foundation-only Swift,
// and the Core ML glue where Core ML exists. `digits-grid` is the door through which the Python
// tests check it: it reads JSON as Python does and refuses drawings with Python's messages.
// See ../docs/xcode.md.
import PackageDescription

/// The golden vectors the Python tests read, in ../tests/golden/, reached through the symlink
/// Tests/DigitsSVMKitTests/Golden and copied into the test bundle byte for byte. Each file is
/// named: SwiftPM copies a symlinked directory as the link itself, which does not resolve
/// inside the bundle, but copies a file reached through it (`.process` would copy the files
/// too, but may re-encode PNGs on Apple platforms).
let goldenFiles = [
    "expected.json", "dot.json", "one_pressure.json", "seven.json", "zero.json",
    "strokes_dot.png", "strokes_one_pressure.png", "strokes_seven.png", "strokes_zero.png",
    "dark_mode_28x40.png", "grey_on_dark_30x30.png", "line_1px_50x50.png", "one_13x21.png",
    "partial_alpha_30x30.png", "rgb_no_alpha_28x40.png", "tiny_3x3.png",
]

let package = Package(
    name: "DigitsSVMKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "DigitsSVMKit", targets: ["DigitsSVMKit"]),
        .executable(name: "digits-grid", targets: ["digits-grid"]),
    ],
    targets: [
        .target(name: "DigitsSVMKit"),
        .executableTarget(name: "digits-grid", dependencies: ["DigitsSVMKit"]),
        .testTarget(name: "DigitsSVMKitTests", dependencies: ["DigitsSVMKit"], exclude: ["Golden/make_golden.py"],
                    resources: goldenFiles.map { .copy("Golden/\($0)") }),
        .testTarget(name: "DigitsGridTests", dependencies: ["digits-grid", "DigitsSVMKit"]),
    ]
)
