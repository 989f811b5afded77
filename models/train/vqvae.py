"""VQ-VAE-2 and single-level VQ-VAE for the undertrained-reconstruction degradation.

Written from docs/spec models.md section 5.2 / 5.3 (state-dict layout of the
rosinality/vq-vae-2-pytorch model, EMA codebooks).  Module structure, attribute names and
Sequential indices are chosen so that ``state_dict()`` keys and shapes are exactly the spec's
table.  Input range is [-1, 1]; the decoder output is unbounded.

Run ``python3 vqvae.py`` for a quick self-check of the parameter counts.
"""
import torch
from torch import nn
import torch.nn.functional as F

VQVAE2_PARAMS = 1388867       # spec 5.2
VQVAE2_BUFFER_VALUES = 132096  # spec 5.2 (2 codebooks x (embed + cluster_size + embed_avg))
VQVAE_PARAMS = 662723          # spec 5.3


class Quantize(nn.Module):
    """Vector quantizer with an exponential-moving-average codebook.

    Buffers: ``embed`` [dim, n_embed] (one column per code), ``cluster_size`` [n_embed]
    (initialised to ones), ``embed_avg`` [dim, n_embed] (initialised to ``embed``).
    Input is channels-last (..., dim).  Returns (quantized, commitment diff, indices).
    """

    def __init__(self, dim, n_embed, decay=0.99, eps=1e-5):
        super().__init__()
        self.dim = dim
        self.n_embed = n_embed
        self.decay = decay
        self.eps = eps
        embed = torch.randn(dim, n_embed)
        self.register_buffer("embed", embed)
        self.register_buffer("cluster_size", torch.ones(n_embed))
        self.register_buffer("embed_avg", embed.clone())

    # use_onednn() sets it: the same sums through oneDNN instead of matrix products
    fast = False

    def codes(self, z):
        """Nearest code index for each vector of z (..., dim): argmin ||z - e_k||^2."""
        flat = z.reshape(-1, self.dim)
        if self.fast and z.dim() == 4:
            # z . e_k for every code as a 1x1 convolution of the NCHW view: oneDNN's
            # (Debian's torch multiplies matrices with the reference BLAS, 10x slower)
            prod = F.conv2d(_nchw(z), self.embed.t()[:, :, None, None])
            prod = _nhwc(prod).reshape(-1, self.n_embed)
        else:
            prod = flat @ self.embed
        dist = (flat.pow(2).sum(1, keepdim=True)
                - 2 * prod
                + self.embed.pow(2).sum(0, keepdim=True))
        _, ind = (-dist).max(1)          # first maximum -> lowest index on ties
        return ind.view(*z.shape[:-1])

    def embed_code(self, ind):
        return F.embedding(ind, self.embed.transpose(0, 1))

    def forward(self, z):
        ind = self.codes(z)
        quantize = self.embed_code(ind)
        if self.training:
            with torch.no_grad():
                flat = z.detach().reshape(-1, self.dim)
                codes = ind.reshape(-1)
                counts = torch.bincount(codes, minlength=self.n_embed).type(flat.dtype)
                # [dim, n_embed]: the sum of the vectors assigned to each code
                embed_sum = flat.new_zeros(self.n_embed, self.dim).index_add_(0, codes, flat).t()
                self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
                self.embed_avg.mul_(self.decay).add_(embed_sum, alpha=1 - self.decay)
                n = self.cluster_size.sum()
                smoothed = (self.cluster_size + self.eps) / (n + self.n_embed * self.eps) * n
                self.embed.copy_(self.embed_avg / smoothed.unsqueeze(0))
        # commitment loss only: the codebook learns by EMA, not by gradient
        diff = (quantize.detach() - z).pow(2).mean()
        # straight-through estimator
        quantize = z + (quantize - z).detach()
        return quantize, diff, ind


class ResBlock(nn.Module):
    """conv = [ReLU, Conv3x3(c->rc), ReLU, Conv1x1(rc->c)]; out = conv(x) + x (not in place)."""

    def __init__(self, in_channel, channel):
        super().__init__()
        self.conv = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(in_channel, channel, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channel, in_channel, 1),
        )

    def forward(self, x):
        return self.conv(x) + x


class Encoder(nn.Module):
    def __init__(self, in_channel, channel, n_res_block, n_res_channel, stride):
        super().__init__()
        if stride == 4:
            blocks = [nn.Conv2d(in_channel, channel // 2, 4, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(channel // 2, channel, 4, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(channel, channel, 3, padding=1)]
        elif stride == 2:
            blocks = [nn.Conv2d(in_channel, channel // 2, 4, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(channel // 2, channel, 3, padding=1)]
        else:
            raise ValueError("stride must be 2 or 4")
        blocks += [ResBlock(channel, n_res_channel) for _ in range(n_res_block)]
        blocks.append(nn.ReLU())
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(x)


class Decoder(nn.Module):
    def __init__(self, in_channel, out_channel, channel, n_res_block, n_res_channel, stride):
        super().__init__()
        blocks = [nn.Conv2d(in_channel, channel, 3, padding=1)]
        blocks += [ResBlock(channel, n_res_channel) for _ in range(n_res_block)]
        blocks.append(nn.ReLU())
        if stride == 4:
            blocks += [nn.ConvTranspose2d(channel, channel // 2, 4, stride=2, padding=1), nn.ReLU(),
                       nn.ConvTranspose2d(channel // 2, out_channel, 4, stride=2, padding=1)]
        elif stride == 2:
            blocks.append(nn.ConvTranspose2d(channel, out_channel, 4, stride=2, padding=1))
        else:
            raise ValueError("stride must be 2 or 4")
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(x)


class PhaseConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d(kernel 4, stride 2, padding 1), the same function computed as one
    3x3 convolution into the four output phases and a pixel shuffle, so that it runs on
    oneDNN: Debian's torch has no fast transposed convolution (its fallback with the
    reference BLAS took 80 % of a training step).  Same parameters, same state dict.

    Output pixel (2m + a, 2n + b) takes input row m + e through kernel row a + 1 - 2e
    (e in -1, 0, 1; rows outside 0..3 contribute nothing), and likewise for columns."""

    # [phase a][offset e + 1] -> kernel row, 4 for "none" (a zero row padded on)
    TAPS = torch.tensor([[a + 1 - 2 * e if 0 <= a + 1 - 2 * e <= 3 else 4 for e in (-1, 0, 1)]
                         for a in (0, 1)])

    def forward(self, x):
        assert (self.kernel_size, self.stride, self.padding) == ((4, 4), (2, 2), (1, 1))
        w = F.pad(self.weight.transpose(0, 1), (0, 1, 0, 1))      # [out, in, 5, 5]
        t = self.TAPS
        w = w[:, :, t[:, None, :, None], t[None, :, None, :]]      # [out, in, a, b, 3, 3]
        out, inp = w.shape[:2]
        w = w.permute(0, 2, 3, 1, 4, 5).reshape(out * 4, inp, 3, 3)
        y = F.conv2d(x, w, self.bias.repeat_interleave(4), padding=1)
        return F.pixel_shuffle(y, 2)


def use_onednn(model):
    """Training's formulations: the transposed convolutions as PhaseConvTranspose2d and the
    quantizers' products as convolutions, all through oneDNN (about 6x faster steps on
    Debian's torch).  The function is the same up to the rounding of float sums; the
    reference path (the spec's plain layers, used by the parity checks) stays the default."""
    for m in model.modules():
        if type(m) is nn.ConvTranspose2d:
            m.__class__ = PhaseConvTranspose2d
        elif isinstance(m, Quantize):
            m.fast = True
    return model


def _nhwc(x):
    return x.permute(0, 2, 3, 1)


def _nchw(x):
    return x.permute(0, 3, 1, 2)


class VQVAE2(nn.Module):
    """Two-level VQ-VAE (spec 5.2).  H and W must be multiples of 8."""

    arch = "vqvae2"
    size_multiple = 8

    def __init__(self, in_channel=3, channel=128, n_res_block=2, n_res_channel=32,
                 embed_dim=64, n_embed=512, decay=0.99, eps=1e-5):
        super().__init__()
        self.config = dict(in_channel=in_channel, channel=channel, n_res_block=n_res_block,
                           n_res_channel=n_res_channel, embed_dim=embed_dim, n_embed=n_embed,
                           decay=decay, eps=eps)
        self.enc_b = Encoder(in_channel, channel, n_res_block, n_res_channel, stride=4)
        self.enc_t = Encoder(channel, channel, n_res_block, n_res_channel, stride=2)
        self.quantize_conv_t = nn.Conv2d(channel, embed_dim, 1)
        self.quantize_t = Quantize(embed_dim, n_embed, decay, eps)
        self.dec_t = Decoder(embed_dim, embed_dim, channel, n_res_block, n_res_channel, stride=2)
        self.quantize_conv_b = nn.Conv2d(embed_dim + channel, embed_dim, 1)
        self.quantize_b = Quantize(embed_dim, n_embed, decay, eps)
        self.upsample_t = nn.ConvTranspose2d(embed_dim, embed_dim, 4, stride=2, padding=1)
        self.dec = Decoder(embed_dim + embed_dim, in_channel, channel, n_res_block,
                           n_res_channel, stride=4)

    def encode(self, x):
        enc_b = self.enc_b(x)
        enc_t = self.enc_t(enc_b)
        q_t, diff_t, id_t = self.quantize_t(_nhwc(self.quantize_conv_t(enc_t)))
        q_t = _nchw(q_t)
        dec_t = self.dec_t(q_t)
        q_b, diff_b, id_b = self.quantize_b(_nhwc(self.quantize_conv_b(torch.cat([dec_t, enc_b], 1))))
        q_b = _nchw(q_b)
        return q_t, q_b, diff_t + diff_b, id_t, id_b

    def decode(self, q_t, q_b):
        return self.dec(torch.cat([self.upsample_t(q_t), q_b], 1))

    def forward(self, x):
        q_t, q_b, diff, _, _ = self.encode(x)
        return self.decode(q_t, q_b), diff

    @torch.no_grad()
    def code_indices(self, x):
        """Per-level code indices {'top': [N,H/8,W/8], 'bottom': [N,H/4,W/4]} (no EMA update)."""
        was = self.training
        self.eval()
        try:
            _, _, _, id_t, id_b = self.encode(x)
        finally:
            self.train(was)
        return {"top": id_t, "bottom": id_b}


class VQVAE(nn.Module):
    """Single-level VQ-VAE (spec 5.3), the bottom branch of VQVAE2.  H, W multiples of 4."""

    arch = "vqvae"
    size_multiple = 4

    def __init__(self, in_channel=3, channel=128, n_res_block=2, n_res_channel=32,
                 embed_dim=64, n_embed=512, decay=0.99, eps=1e-5):
        super().__init__()
        self.config = dict(in_channel=in_channel, channel=channel, n_res_block=n_res_block,
                           n_res_channel=n_res_channel, embed_dim=embed_dim, n_embed=n_embed,
                           decay=decay, eps=eps)
        self.enc = Encoder(in_channel, channel, n_res_block, n_res_channel, stride=4)
        self.quantize_conv = nn.Conv2d(channel, embed_dim, 1)
        self.quantize = Quantize(embed_dim, n_embed, decay, eps)
        self.dec = Decoder(embed_dim, in_channel, channel, n_res_block, n_res_channel, stride=4)

    def encode(self, x):
        q, diff, ind = self.quantize(_nhwc(self.quantize_conv(self.enc(x))))
        return _nchw(q), diff, ind

    def decode(self, q):
        return self.dec(q)

    def forward(self, x):
        q, diff, _ = self.encode(x)
        return self.decode(q), diff

    @torch.no_grad()
    def code_indices(self, x):
        was = self.training
        self.eval()
        try:
            _, _, ind = self.encode(x)
        finally:
            self.train(was)
        return {"bottom": ind}


ARCHS = {"vqvae2": VQVAE2, "vqvae": VQVAE}


def build(arch, **kw):
    return ARCHS[arch](**kw)


def count_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_buffer_values(model):
    return sum(b.numel() for b in model.buffers())


def code_usage(indices, n_embed):
    """Statistics of a code-index tensor: distinct codes used and perplexity."""
    counts = torch.bincount(indices.reshape(-1), minlength=n_embed).double()
    p = counts / counts.sum()
    nz = p[p > 0]
    return {"used": int((counts > 0).sum()), "n_embed": n_embed,
            "perplexity": float(torch.exp(-(nz * nz.log()).sum()))}


if __name__ == "__main__":
    m2, m1 = VQVAE2(), VQVAE()
    print("vqvae2 params", count_params(m2), "buffers", count_buffer_values(m2))
    print("vqvae  params", count_params(m1))
    assert count_params(m2) == VQVAE2_PARAMS
    assert count_buffer_values(m2) == VQVAE2_BUFFER_VALUES
    assert count_params(m1) == VQVAE_PARAMS
    x = torch.rand(1, 3, 64, 64) * 2 - 1
    y, d = m2(x)
    assert y.shape == x.shape
    y, d = m1(x)
    assert y.shape == x.shape
    print("ok")
