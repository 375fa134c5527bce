namespace Bento.Runtime.Containers.Spec;

/// <summary>Bento's own keys in config.json's annotations: what the OCI spec cannot say.</summary>
internal static class SpecAnnotations
{
    /// <summary>The user as given (a name, or name:group); the init stage resolves it against the container's own
    /// /etc/passwd and /etc/group, as Docker does. Absent when process.user already holds the final ids.</summary>
    public const string User = "org.bento.user";
}
