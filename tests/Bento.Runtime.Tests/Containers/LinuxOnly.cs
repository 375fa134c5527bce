// The container tests drive Linux namespaces, mounts and file modes; the whole test assembly runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
