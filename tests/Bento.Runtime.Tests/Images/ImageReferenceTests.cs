using Bento.Runtime.Images;
using Bento.Runtime.Images.Extraction;
using Bento.Runtime.Storage;

namespace Bento.Runtime.Tests.Images;

/// <summary>Name normalisation and the path rules that keep untrusted strings from becoming paths.</summary>
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1.36", "busybox:1.36")]
    [InlineData("docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "busybox:latest")]
    [InlineData("docker.io/someone/tool:v2", "someone/tool:v2")]
    [InlineData("library/busybox", "busybox:latest")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("localhost:5000/team/app:dev", "localhost:5000/team/app:dev")]
    [InlineData("quay.io/org/app:V1.0_rc-2", "quay.io/org/app:V1.0_rc-2")]
    [InlineData("  spaced  ", "spaced:latest")]
    public void Names_are_kept_in_their_familiar_form_with_a_tag(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Normalize(input, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("has space")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("trailing/")]
    [InlineData("busybox:")]
    [InlineData("busybox:-bad")]
    [InlineData("a//b")]
    [InlineData("busy\nbox:latest")]
    public void Invalid_names_are_refused_with_a_reason(string input)
    {
        Assert.Null(ImageReference.Normalize(input, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("/home/someone/images/busybox.tar", "busybox")]
    [InlineData("/home/someone/images/My Image v2.tar.gz", "my-image-v2")]
    [InlineData("/home/someone/images/layout/", "layout")]
    [InlineData("/home/someone/images/___.tar", "image")]
    public void Unnamed_images_take_their_repository_from_the_file_name(string path, string expected) =>
        Assert.Equal(expected, ImageReference.RepositoryFromFileName(path));

    [Theory]
    [InlineData("usr/bin/env", "usr/bin/env")]
    [InlineData("./usr/bin/env", "usr/bin/env")]
    [InlineData("usr//bin/./env/", "usr/bin/env")]
    [InlineData("./", "")]
    [InlineData(".", "")]
    [InlineData("/", "")]
    [InlineData("...", "...")]
    [InlineData("..a/b..", "..a/b..")]
    public void Layer_entry_names_normalise_inside_the_layer(string name, string expected)
    {
        Assert.Equal(expected, LayerPath.Normalize(name, out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("//etc")]
    [InlineData("a\0b")]
    public void Layer_entry_names_that_leave_the_layer_are_refused(string name)
    {
        Assert.Null(LayerPath.Normalize(name, out var reason));
        Assert.NotNull(reason);
    }

    [Theory]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", false)]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha256:../../../../etc/passwd", false)]
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    public void Only_well_formed_digests_are_valid(string digest, bool valid) => Assert.Equal(valid, Digests.IsValid(digest));
}
