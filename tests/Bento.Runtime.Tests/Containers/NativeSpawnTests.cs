using Bento.Runtime.Interop;
using Bento.Runtime.Process;

namespace Bento.Runtime.Tests.Containers;

/// <summary>The native step's failures come back as (step, errno) messages, never as a hang.</summary>
public sealed class NativeSpawnTests
{
    public NativeSpawnTests() => Environment.SetEnvironmentVariable(SpawnLibrary.EnvironmentVariable, ShimBuild.SpawnLibraryPath);

    private static unsafe (int Pid, ReportMessage? Message, int ExitCode) Spawn(SafeFdHandle image, bool sendGo, uint cloneFlags = 0)
    {
        using var devNull = Libc.OpenHandle("/dev/null", Libc.O_RDWR);
        var (reportRead, reportWrite) = Libc.Pipe();
        var (syncRead, syncWrite) = Libc.Pipe();
        using var argv = new NativeStringArray(["true"]);
        using var envp = new NativeStringArray([]);
        var request = new SpawnLibrary.Request
        {
            AbiVersion = SpawnProtocol.AbiVersion,
            CloneFlags = cloneFlags,
            ReportFd = reportWrite.Fd,
            SyncFd = syncRead.Fd,
            ExecFd = image.Fd,
            Argv = argv.Pointer,
            Envp = envp.Pointer,
        };
        request.StdioFds[0] = devNull.Fd;
        request.StdioFds[1] = devNull.Fd;
        request.StdioFds[2] = devNull.Fd;
        var pid = SpawnLibrary.Spawn(ref request);
        Assert.True(pid > 0, $"bento_spawn returned {pid}");
        reportWrite.Dispose();
        syncRead.Dispose();
        if (sendGo)
            Libc.WriteAll(syncWrite.Fd, [SpawnProtocol.SyncGo], "sync");
        syncWrite.Dispose();
        var message = ReportMessage.Read(reportRead);
        reportRead.Dispose();
        int status;
        Assert.Equal(pid, Libc.waitpid(pid, &status, 0));
        return (pid, message, Libc.ExitCodeOf(status));
    }

    [Fact]
    public void ExecutesTheImageAfterTheSyncByteInNewNamespaces()
    {
        using var image = SealedExecutable.Of("/bin/true");
        var (_, message, exitCode) = Spawn(image, sendGo: true, Namespaces.Pid.CloneFlag | Namespaces.Uts.CloneFlag);
        Assert.Null(message);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void AMissingSyncByteIsReportedAsTheSyncStep()
    {
        using var image = SealedExecutable.Of("/bin/true");
        var (_, message, exitCode) = Spawn(image, sendGo: false);
        Assert.NotNull(message);
        Assert.Equal(ReportKind.SpawnFailed, message.Value.Kind);
        Assert.Equal((int)SpawnStep.Sync, message.Value.Step);
        Assert.Equal(Libc.EPIPE, message.Value.Error);
        Assert.Equal(SpawnProtocol.SpawnExitFailed, exitCode);
    }

    [Fact]
    public void AnUnexecutableImageIsReportedAsTheExecStep()
    {
        using var notExecutable = Libc.OpenHandle("/etc/passwd", Libc.O_RDONLY);
        var (_, message, _) = Spawn(notExecutable, sendGo: true);
        Assert.NotNull(message);
        Assert.Equal((int)SpawnStep.Exec, message.Value.Step);
        Assert.Equal(Libc.EACCES, message.Value.Error);
    }

    [Fact]
    public unsafe void RefusesAForeignAbiVersion()
    {
        var request = new SpawnLibrary.Request { AbiVersion = 99 };
        Assert.Equal(-Libc.EINVAL, SpawnLibrary.Spawn(ref request));
    }

    [Fact]
    public void SealedCopyCannotBeWritten()
    {
        using var image = SealedExecutable.Of("/bin/true");
        var seals = Libc.fcntl(image.Fd, Libc.F_GET_SEALS, 0);
        Assert.Equal(Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE, seals);
        Assert.Throws<ErrnoException>(() => Libc.WriteAll(image.Fd, "x"u8, "memfd"));
        Assert.Equal(new FileInfo("/bin/true").Length, RandomAccess.GetLength(new Microsoft.Win32.SafeHandles.SafeFileHandle(image.Fd, ownsHandle: false)));
    }
}
