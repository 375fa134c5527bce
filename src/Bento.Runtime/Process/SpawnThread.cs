using System.Collections.Concurrent;

namespace Bento.Runtime.Process;

/// <summary>
/// The one thread that calls bento_spawn when the caller is a long-lived host such as pwsh.
/// </summary>
/// <remarks>
/// The spawned child arms PR_SET_PDEATHSIG, and the kernel sends that signal when the parent *thread* exits, not
/// the parent process. A spawn from a pipeline or thread-pool thread would die with that thread; this thread lives
/// as long as the process, so the exec'd process dies with the process that started it, and only then.
/// </remarks>
internal static class SpawnThread
{
    private static readonly BlockingCollection<(Func<int> Work, TaskCompletionSource<int> Done)> Queue = new();
    private static readonly Lazy<Thread> Worker = new(() =>
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "bento-spawn" };
        thread.Start();
        return thread;
    });

    /// <summary>Runs <paramref name="spawn"/> on the spawn thread and returns its result.</summary>
    public static int Invoke(Func<int> spawn)
    {
        _ = Worker.Value;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((spawn, done));
        return done.Task.GetAwaiter().GetResult();
    }

    private static void Serve()
    {
        foreach (var (work, done) in Queue.GetConsumingEnumerable())
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }
}
