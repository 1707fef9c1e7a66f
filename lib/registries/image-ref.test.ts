import { describe, expect, it } from "vitest";
import { hostMatches, imageBelongsTo, imageNameOn, parseImage } from "./image-ref";

const full = (name: string, tag: string) => {
  const r = parseImage(name, tag);
  if (!r.ok) throw new Error(`${name}:${tag} refused: ${r.message}`);
  return r.ref.full;
};
const refusal = (name: string, tag: string) => {
  const r = parseImage(name, tag);
  return r.ok ? undefined : [r.field, r.message];
};

describe("image references (registry-facts §5)", () => {
  it("normalises Docker Hub names the way docker and kubelet do", () => {
    expect(full("postgres", "17-alpine")).toBe("docker.io/library/postgres:17-alpine");
    expect(full("bitnami/redis", "7.4")).toBe("docker.io/bitnami/redis:7.4");
    expect(full("index.docker.io/library/nginx", "1.27")).toBe("docker.io/library/nginx:1.27");
    expect(full("docker.io/nginx", "latest")).toBe("docker.io/library/nginx:latest");
  });

  it("treats the first component as a domain only with a dot, a colon or localhost", () => {
    expect(full("ghcr.io/acme/api", "v1")).toBe("ghcr.io/acme/api:v1");
    expect(full("localhost/app", "dev")).toBe("localhost/app:dev");
    expect(full("localhost:5000/team/app", "1")).toBe("localhost:5000/team/app:1");
    expect(full("acme/api", "v1")).toBe("docker.io/acme/api:v1");
    expect(full("Registry.Example.com:5000/app", "1")).toBe("registry.example.com:5000/app:1");
  });

  it("accepts a sha256 digest in the tag field", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(full("ghcr.io/acme/api", digest)).toBe(`ghcr.io/acme/api@${digest}`);
  });

  it("refuses malformed names, tags and digests on the right field", () => {
    expect(refusal("", "latest")?.[0]).toBe("imageName");
    expect(refusal("Acme/API", "v1")).toEqual(["imageName", expect.stringContaining('"Acme" is not a valid path part')]);
    expect(refusal("ghcr.io//api", "v1")).toEqual(["imageName", expect.stringContaining("empty part")]);
    expect(refusal("ghcr.io/acme/api:v1", "v1")).toEqual(["imageName", expect.stringContaining("Tag field")]);
    expect(refusal("ghcr.io/acme/api@sha256:abc", "v1")).toEqual(["imageName", expect.stringContaining("digest")]);
    expect(refusal("acme/api", "")?.[0]).toBe("imageTag");
    expect(refusal("acme/api", "-v1")).toEqual(["imageTag", expect.stringContaining("cannot start")]);
    expect(refusal("acme/api", "x".repeat(129))?.[0]).toBe("imageTag");
    expect(refusal("acme/api", "sha256:xyz")).toEqual(["imageTag", "A digest must be sha256: followed by 64 lower-case hex characters"]);
    expect(refusal("acme/api", `sha512:${"a".repeat(128)}`)?.[0]).toBe("imageTag");
    expect(refusal(`acme/${"a".repeat(260)}`, "v1")).toEqual(["imageName", expect.stringContaining("255")]);
  });

  it("matches hosts with equal port and one label per *", () => {
    expect(hostMatches("*.dkr.ecr.eu-central-1.amazonaws.com", "123456789012.dkr.ecr.eu-central-1.amazonaws.com")).toBe(true);
    expect(hostMatches("*.dkr.ecr.eu-central-1.amazonaws.com", "a.b.dkr.ecr.eu-central-1.amazonaws.com")).toBe(false);
    expect(hostMatches("gcr.io", "us.gcr.io")).toBe(false);
    expect(hostMatches("registry.example.com:5000", "registry.example.com")).toBe(false);
    expect(hostMatches("registry.example.com:5000", "registry.example.com:5000")).toBe(true);
  });

  it("lets a public registry take any image, and a private one only its own hosts", () => {
    const ref = { domain: "docker.io" };
    expect(imageBelongsTo(ref, [])).toBe(true);
    expect(imageBelongsTo(ref, ["ghcr.io"])).toBe(false);
    expect(imageBelongsTo(ref, ["docker.io"])).toBe(true);
  });
});

describe("a path without a host, with a registry chosen", () => {
  it("is on the registry's host; a name that has one keeps it; without a registry it is Docker Hub's", () => {
    expect(imageNameOn("holdout/api", "127.0.0.1:5101")).toBe("127.0.0.1:5101/holdout/api");
    expect(full(imageNameOn(" holdout/api ", "127.0.0.1:5101"), "1.0")).toBe("127.0.0.1:5101/holdout/api:1.0");
    expect(imageNameOn("ghcr.io/acme/api", "127.0.0.1:5101")).toBe("ghcr.io/acme/api");
    expect(imageNameOn("localhost/api", "ghcr.io")).toBe("localhost/api");
    expect(full(imageNameOn("nginx", "docker.io"), "1.27")).toBe("docker.io/library/nginx:1.27");
    expect(imageNameOn("holdout/api", undefined)).toBe("holdout/api");
    expect(imageNameOn("", "ghcr.io")).toBe("");
  });
});
