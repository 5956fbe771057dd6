import CSQLite
public enum FakeDocker {}
