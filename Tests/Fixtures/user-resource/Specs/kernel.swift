import InfraSpec

describe("kernel") {
  KernelType().named("Linux")
  KernelType().named("Plan 9")
}
