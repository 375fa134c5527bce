using System.Text.Json.Serialization;
using Bento.Runtime.Containers.Spec;
using Bento.Runtime.Process;

namespace Bento.Runtime.Containers;

/// <summary>Source-generated JSON for every file a container owns: the monitor is NativeAOT, so no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(ContainerStateRecord))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
