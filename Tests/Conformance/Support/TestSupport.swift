// The process harness, the test image and the call-log reader live in TestSupport, shared with
// FakeDockerTests; exported so that every file here sees them without importing them.
@_exported import TestSupport
