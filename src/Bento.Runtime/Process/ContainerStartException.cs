namespace Bento.Runtime.Process;

/// <summary>A start that failed for a reason the monitor can name; carried to the starter by the handshake.</summary>
internal sealed class ContainerStartException(StartFailure failure) : Exception(failure.Message)
{
    public StartFailure Failure { get; } = failure;
}
