using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AppHost.Tests.Product;

/// <summary>
/// A WebAuthn authenticator in software, as a browser's platform authenticator would answer: one P-256 key per
/// credential, "none" attestation, user presence and verification. Enough to run Identity's passkey ceremonies
/// end to end without a browser; every check of the server (challenge, origin, RP id hash, signature) still applies.
/// </summary>
internal sealed class SoftwareAuthenticator(string origin) : IDisposable
{
    /// <summary>The origin the "browser" reports in client data; a phishing page would report its own.</summary>
    public string Origin { get; set; } = origin;

    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;
    private const byte AttestedCredentialData = 0x40;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _credentialId = RandomNumberGenerator.GetBytes(16);
    private byte[] _userHandle = [];
    private uint _signCount;

    /// <summary>The answer to <c>navigator.credentials.create()</c> for the given creation options, as JSON.</summary>
    public string Create(JsonNode options)
    {
        var rpId = options["rp"]!["id"]!.GetValue<string>();
        _userHandle = Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>());
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>());

        var credentialData = new List<byte>(Guid.Empty.ToByteArray());
        credentialData.Add((byte)(_credentialId.Length >> 8));
        credentialData.Add((byte)_credentialId.Length);
        credentialData.AddRange(_credentialId);
        credentialData.AddRange(CosePublicKey());
        var authenticatorData = AuthenticatorData(rpId, UserPresent | UserVerified | AttestedCredentialData, [.. credentialData]);

        var attestation = new CborWriter();
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();

        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>The answer to <c>navigator.credentials.get()</c> for the given request options, as JSON.</summary>
    public string Get(JsonNode options)
    {
        var rpId = options["rpId"]!.GetValue<string>();
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>());
        var authenticatorData = AuthenticatorData(rpId, UserPresent | UserVerified, []);
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["authenticatorData"] = Base64Url.EncodeToString(authenticatorData),
            ["signature"] = Base64Url.EncodeToString(signature),
            ["userHandle"] = Base64Url.EncodeToString(_userHandle),
        });
    }

    public void Dispose() => _key.Dispose();

    private string Credential(JsonObject response) => new JsonObject
    {
        ["id"] = Base64Url.EncodeToString(_credentialId),
        ["rawId"] = Base64Url.EncodeToString(_credentialId),
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
    }.ToJsonString();

    private byte[] ClientData(string type, string challenge) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["type"] = type,
        ["challenge"] = challenge,
        ["origin"] = Origin,
        ["crossOrigin"] = false,
    }.ToJsonString());

    private byte[] AuthenticatorData(string rpId, byte flags, byte[] attestedCredentialData)
    {
        var count = ++_signCount;
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), flags, (byte)(count >> 24), (byte)(count >> 16), (byte)(count >> 8), (byte)count, .. attestedCredentialData];
    }

    /// <summary>The public key as a COSE_Key: EC2, ES256, P-256, x and y.</summary>
    private byte[] CosePublicKey()
    {
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        var cose = new CborWriter();
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2);
        cose.WriteInt32(3);
        cose.WriteInt32(-7);
        cose.WriteInt32(-1);
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(point.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(point.Y!);
        cose.WriteEndMap();
        return cose.Encode();
    }
}
