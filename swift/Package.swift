// swift-tools-version:5.9
// DigitsSVMKit: the phone's half of digits_svm: the drawing and its JSON format (Codable),
// rendering, both preprocessing methods and the "not a digit" rule in Foundation-only Swift,
// and the Core ML glue where Core ML exists. `digits-grid` is the door through which the Python
// tests check it: it reads JSON as Python does and refuses drawings with Python's messages.
// See ../docs/xcode.md.
import PackageDescription

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
        .testTarget(name: "DigitsSVMKitTests", dependencies: ["DigitsSVMKit"]),
        .testTarget(name: "DigitsGridTests", dependencies: ["digits-grid", "DigitsSVMKit"]),
    ]
)
