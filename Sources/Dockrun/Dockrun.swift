public enum Dockrun {}
