/// Before the start of a run that needs a health check (`RunRequest.optionNeedingHealthCheck`) its options do not
/// give: the image's, from one `docker image inspect`. An image without one refuses the run, nothing started (podman
/// refuses at its create). An image not there yet (the run pulls it) or an engine that does not answer tells nothing:
/// the container's first inspect then decides (`HealthWatch.confirm`).
enum ImageHealthCheck {
    static func confirm(_ request: RunRequest, docker: DockerCall) throws(DockrunError) -> RunRequest {
        guard let option = request.optionNeedingHealthCheck, request.healthCheck == .unknown, let image = request.image
        else { return request }
        let answer = docker.run(.imageHealthcheck(image))
        guard answer.status == .exited(0) else { return request }
        var request = request
        request.healthCheck = HealthCheckPresence(imageHealthcheck: answer.output)
        if request.healthCheck == .absent { throw .noHealthCheck(option: option, reason: "image \(image) has none") }
        return request
    }
}

extension DockerCommand {
    /// The image's health check: `null`, or its JSON (`HealthCheckPresence`).
    static func imageHealthcheck(_ image: String) -> DockerCommand {
        DockerCommand(["image", "inspect", "--format", HealthCheckPresence.imageInspectFormat, image])
    }
}
