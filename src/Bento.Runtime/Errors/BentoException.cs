namespace Bento.Runtime.Errors;

/// <summary>What kind of failure a <see cref="BentoException"/> is; mirrors PowerShell's ErrorCategory
/// so the module can map it without the runtime depending on PowerShell.</summary>
public enum BentoErrorCategory
{
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    InvalidOperation,
    InvalidData,
    SecurityError,
    NotInstalled,
    InvalidArgument,
    OperationStopped,
    NotSpecified,
}

/// <summary>Every failure the runtime reports to a user. <see cref="ErrorId"/> is the SPEC's ErrorId.</summary>
public class BentoException : Exception
{
    public BentoException(string errorId, BentoErrorCategory category, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }
    public BentoErrorCategory Category { get; }
    /// <summary>The name of the thing the error is about (an image, a container, a path).</summary>
    public string? Target { get; }
}

/// <summary>Factory for the SPEC's error table, so ids and categories are written once.</summary>
public static class BentoErrors
{
    public static BentoException ContainerNotFound(string name) =>
        new("ContainerNotFound", BentoErrorCategory.ObjectNotFound, $"No container named or with id '{name}' exists.", name);

    public static BentoException ContainerNameInUse(string name) =>
        new("ContainerNameInUse", BentoErrorCategory.ResourceExists, $"The container name '{name}' is already in use.", name);

    public static BentoException ImageNotFound(string name) =>
        new("ImageNotFound", BentoErrorCategory.ObjectNotFound, $"No image named or with id '{name}' exists.", name);

    public static BentoException ImageInUse(string name, IEnumerable<string> containers) =>
        new("ImageInUse", BentoErrorCategory.ResourceUnavailable,
            $"The image '{name}' is used by container(s) {string.Join(", ", containers)}; remove them first or use -Force.", name);

    public static BentoException InvalidContainerState(string name, string message) =>
        new("InvalidContainerState", BentoErrorCategory.InvalidOperation, message, name);

    /// <summary>A command can only run in a Running container.</summary>
    public static BentoException ContainerNotRunning(string name, ContainerState state) =>
        InvalidContainerState(name, $"Container '{name}' is {state}; a command can run in it only while it is Running.");

    public static BentoException InvalidImage(string source, string message, Exception? inner = null) =>
        new("InvalidImage", BentoErrorCategory.InvalidData, $"'{source}' is not a valid image: {message}", source, inner);

    public static BentoException DigestMismatch(string what, string expected, string actual) =>
        new("DigestMismatch", BentoErrorCategory.InvalidData,
            $"The content of {what} does not match its digest: expected {expected}, got {actual}.", what);

    public static BentoException UnsafeLayerPath(string layer, string entry, string why) =>
        new("UnsafeLayerPath", BentoErrorCategory.SecurityError,
            $"Layer {layer} has an unsafe entry '{entry}': {why}. Nothing was imported.", entry);

    public static BentoException CommandNotFound(string container, string command) =>
        new("CommandNotFound", BentoErrorCategory.ObjectNotFound,
            $"The command '{command}' does not exist in the root filesystem of container '{container}'.", command);

    public static BentoException UnsupportedHost(string what, string remedy) =>
        new("UnsupportedHost", BentoErrorCategory.NotInstalled, $"{what} {remedy}", what);

    public static BentoException InvalidArgument(string name, string message) =>
        new("InvalidArgument", BentoErrorCategory.InvalidArgument, message, name);
}
