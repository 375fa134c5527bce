using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bento.Runtime.Errors;
using Bento.Runtime.Images;
using Bento.Runtime.Images.ImageFormats;

namespace Bento.Runtime.Tests.Images;

/// <summary>The store around imports: layers kept once and freed when unused, lookups, New-BentoImage, and
/// imports that are cancelled or run side by side.</summary>
[Collection(ImageCollection.Name)]
public sealed class StoreTests(ImageFixtures fixtures)
{
    private static readonly IReadOnlySet<string> NoContainers = new HashSet<string>();

    [Fact]
    public void Importing_the_same_image_again_stores_no_second_copy_of_its_layers()
    {
        using var store = new TestStore();
        var first = Assert.Single(store.Images.Import(fixtures.DockerArchive));
        var layerDirectory = Assert.Single(store.LayerDirectories());
        var marker = File.GetLastWriteTimeUtc(layerDirectory + ".json");

        var again = Assert.Single(store.Images.Import(fixtures.DockerArchive));
        store.Images.Import(fixtures.OciArchive); // the same layer content, gzip-compressed

        Assert.Equal(first.Digest, again.Digest);
        Assert.Equal([layerDirectory], store.LayerDirectories());
        Assert.Equal(marker, File.GetLastWriteTimeUtc(layerDirectory + ".json"));
        Assert.Equal(["busybox:latest"], store.Images.List().Select(i => i.Name));
        Assert.Empty(store.TempEntries());
    }

    [Fact]
    public void Remove_frees_layers_no_other_image_uses_and_keeps_shared_ones()
    {
        using var store = new TestStore();
        var busybox = Assert.Single(store.Images.Import(fixtures.BusyboxLayout));
        var layered = Assert.Single(store.Images.Import(fixtures.LayeredLayout));
        Assert.Equal(busybox.Layers[0], layered.Layers[0]);
        Assert.Equal(4, store.LayerDirectories().Length);

        store.Runtime.RemoveImage(layered, force: false);

        Assert.Equal([store.Paths.LayerDir(busybox.Layers[0])], store.LayerDirectories());
        Assert.Equal(["busybox:latest"], store.Images.List().Select(i => i.Name));
        Assert.Equal(2, store.Blobs().Length);
        Assert.Null(store.Images.Find("layered"));
        AssertBusyboxStillWhole(store, busybox);

        store.Images.Remove(busybox, NoContainers);

        store.AssertEmpty();
    }

    [Fact]
    public void Remove_keeps_layers_that_containers_hold()
    {
        using var store = new TestStore();
        var layered = Assert.Single(store.Images.Import(fixtures.LayeredLayout));

        store.Images.Remove(layered, new HashSet<string> { layered.Layers[1] });

        Assert.Equal([store.Paths.LayerDir(layered.Layers[1])], store.LayerDirectories());
        Assert.Empty(store.Images.List());
        Assert.Empty(store.Blobs());
    }

    [Fact]
    public void Remove_drops_one_name_and_frees_nothing_while_another_name_points_at_the_image()
    {
        using var store = new TestStore();
        var original = Assert.Single(store.Images.Import(fixtures.DockerArchive));
        var alias = Assert.Single(store.Images.Import(fixtures.DockerArchive, "alias:v1"));
        Assert.Equal(original.Digest, alias.Digest);

        store.Images.Remove(original, NoContainers);

        Assert.Equal(["alias:v1"], store.Images.List().Select(i => i.Name));
        Assert.Single(store.LayerDirectories());
        Assert.Equal(2, store.Blobs().Length);
        var error = Assert.Throws<BentoException>(() => store.Images.Remove(original, NoContainers));
        Assert.Equal("ImageNotFound", error.ErrorId);
    }

    [Fact]
    public void Images_are_found_by_name_in_any_spelling_by_id_and_by_unique_id_prefix()
    {
        using var store = new TestStore();
        var image = Assert.Single(store.Images.Import(fixtures.DockerArchive));
        store.Images.Import(fixtures.LayeredLayout);
        var hex = image.Id[7..];

        foreach (var query in new[] { "busybox", "busybox:latest", "docker.io/library/busybox:latest", "docker.io/busybox", "library/busybox",
                     image.Id, hex, hex[..4], "sha256:" + hex[..12], hex[..12].ToUpperInvariant() })
            Assert.Equal(("busybox:latest", image.Id), (store.Images.Find(query)?.Name, store.Images.Find(query)?.Id));

        Assert.Null(store.Images.Find("busybox:other"));
        Assert.Null(store.Images.Find(hex[..3]));
        Assert.Null(store.Images.Find("sha256:" + new string('0', 64)));
        Assert.Null(store.Images.Find(""));
        var error = Assert.Throws<BentoException>(() => store.Images.Get("nothing-here"));
        Assert.Equal("ImageNotFound", error.ErrorId);
        Assert.Equal(BentoErrorCategory.ObjectNotFound, error.Category);
    }

    [Fact]
    public void Listing_describes_every_name_from_the_stored_manifest_and_config()
    {
        using var store = new TestStore();
        var imported = store.Images.Import(fixtures.TwoImageDockerArchive);

        var listed = store.Images.List();

        Assert.Equal(imported.Select(i => (i.Name, i.Id, i.Digest, i.Size)).Order(), listed.Select(i => (i.Name, i.Id, i.Digest, i.Size)).Order());
        var layered = listed.Single(i => i.Name == "layered:latest");
        Assert.Equal(4, layered.Layers.Count);
        Assert.True(layered.Size > listed.Single(i => i.Name == "busybox:latest").Size);
        Assert.Equal(4, store.Images.LayerDirectories(layered).Count);
    }

    [Fact]
    public void New_image_from_a_directory_round_trips()
    {
        using var store = new TestStore();
        var source = Directory.CreateDirectory(Path.Combine(store.Root, "source")).FullName;
        File.SetUnixFileMode(source, (UnixFileMode)0b111_000_000);
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        File.Copy("/bin/busybox", Path.Combine(source, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(source, "bin", "sh"), "busybox");
        File.WriteAllText(Path.Combine(source, "hello.txt"), "hello\n");
        File.SetUnixFileMode(Path.Combine(source, "hello.txt"), (UnixFileMode)0b110_000_000);
        var options = new NewImageOptions
        {
            Command = ["/bin/sh", "-c", "echo hi"],
            Entrypoint = ["/bin/busybox"],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
            WorkingDirectory = "/srv",
        };

        var image = store.Images.CreateFromDirectory("made/here", source, options);

        Assert.Equal("made/here:latest", image.Name);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], image.Cmd!);
        Assert.Equal(["/bin/busybox"], image.Entrypoint!);
        Assert.Equal([ImageStore.DefaultPath, "GREETING=hello"], image.Env);
        Assert.Equal("/srv", image.WorkingDir);
        Assert.Equal("linux", image.Os);
        Assert.Equal(HostPlatform.Architecture, image.Architecture);
        Assert.InRange(image.Created!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var layer = Assert.Single(store.Images.LayerDirectories(image));
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Path.Combine(layer, "bin", "busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(layer, "bin", "sh")).LinkTarget);
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(layer, "hello.txt")));
        // The source folder's own 0700 does not become the image's root.
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(layer));
        Assert.Equal(image.Id, store.Images.Get("made/here").Id);
        Assert.Empty(store.TempEntries());

        // The stored config is an OCI config the rest of the world can read.
        var config = JsonNode.Parse(File.ReadAllBytes(store.Paths.BlobPath(image.Id)))!;
        Assert.Equal(image.Layers[0], (string)config["rootfs"]!["diff_ids"]![0]!);
        Assert.Equal("/srv", (string)config["config"]!["WorkingDir"]!);
    }

    [Fact]
    public void New_image_without_environment_gets_the_default_path()
    {
        using var store = new TestStore();
        var source = Directory.CreateDirectory(Path.Combine(store.Root, "empty-source")).FullName;
        File.WriteAllText(Path.Combine(source, "f"), "f");

        var image = store.Images.CreateFromDirectory("bare", source, new NewImageOptions());

        Assert.Equal([ImageStore.DefaultPath], image.Env);
        Assert.Null(image.Cmd);
        Assert.Null(image.WorkingDir);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("file")]
    public void New_image_from_something_that_is_not_a_directory_is_an_invalid_argument(string what)
    {
        using var store = new TestStore();
        var path = Path.Combine(Path.GetTempPath(), "bento-no-such-dir-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        if (what == "file")
            path = fixtures.DockerArchive;

        var error = Assert.Throws<BentoException>(() => store.Images.CreateFromDirectory("x", path, new NewImageOptions()));

        Assert.Equal("InvalidArgument", error.ErrorId);
        Assert.Equal(BentoErrorCategory.InvalidArgument, error.Category);
    }

    [Fact]
    public void New_image_with_an_invalid_name_is_an_invalid_argument()
    {
        using var store = new TestStore();

        var error = Assert.Throws<BentoException>(() => store.Images.CreateFromDirectory("UPPER/Case", fixtures.Root, new NewImageOptions()));

        Assert.Equal("InvalidArgument", error.ErrorId);
        Assert.Contains("lowercase", error.Message);
    }

    [Fact]
    public void A_cancelled_import_leaves_nothing_behind()
    {
        using var store = new TestStore();
        using var cancellation = new CancellationTokenSource();
        var progress = new ImportFormatTests.SynchronousProgress(report =>
        {
            if (report.BytesDone > 0)
                cancellation.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => store.Images.Import(fixtures.LayeredLayout, progress: progress, cancellationToken: cancellation.Token));

        store.AssertEmpty();
    }

    [Fact]
    public void Importing_a_path_that_does_not_exist_names_it()
    {
        using var store = new TestStore();
        var path = Path.Combine(fixtures.Root, "no-such.tar");

        var error = Assert.Throws<BentoException>(() => store.Images.Import(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task Two_imports_of_the_same_image_at_once_both_succeed_with_one_copy_of_each_layer()
    {
        using var store = new TestStore();
        var other = new ImageStore(store.Paths); // as a second pwsh session would open it

        using var start = new Barrier(2);
        var imports = new[] { (store.Images, fixtures.LayeredLayout), (other, fixtures.TwoImageDockerArchive) }
            .Select(job => Task.Run(() =>
            {
                start.SignalAndWait();
                return job.Item1.Import(job.Item2);
            }))
            .ToArray();
        var results = await Task.WhenAll(imports);

        Assert.All(results, images => Assert.NotEmpty(images));
        Assert.Equal(4, store.LayerDirectories().Length);
        Assert.Equal(["busybox:latest", "layered:latest"], store.Images.List().Select(i => i.Name));
        Assert.Empty(store.TempEntries());
    }

    private static void AssertBusyboxStillWhole(TestStore store, BentoImage busybox)
    {
        var layer = Assert.Single(store.Images.LayerDirectories(store.Images.Get(busybox.Name)));
        ImportFormatTests.AssertBusyboxRootFs(layer);
    }
}
